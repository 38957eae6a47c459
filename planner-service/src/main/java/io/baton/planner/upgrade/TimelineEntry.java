package io.baton.planner.upgrade;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One step of an upgrade as it happened. */
@Entity
@Table(name = "timeline_entry")
public class TimelineEntry {

    /** {@code <upgradeId>/<index>} */
    @Id
    public String id;

    public String upgradeId;
    public int stepIndex;
    public String name;
    public String owner;
    public boolean pivot;

    /** PENDING, RUNNING, COMPLETED, FAILED, COMPENSATING, COMPENSATED, COMPENSATION_FAILED */
    public String outcome;

    public Instant startedAt;
    public Instant endedAt;
    public Instant compensationStartedAt;
    public Instant compensatedAt;

    @Column(columnDefinition = "text")
    public String details;
}
