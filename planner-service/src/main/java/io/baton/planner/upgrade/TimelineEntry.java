package io.baton.planner.upgrade;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
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

    @Enumerated(EnumType.STRING)
    public StepOutcome outcome;

    public Instant startedAt;
    public Instant endedAt;
    public Instant compensationStartedAt;
    public Instant compensatedAt;

    /** What the step found out (its facts), and why it failed when it did, as a JSON object of strings. */
    @Column(columnDefinition = "text")
    public String details;

    public static String key(String upgradeId, int step) {
        return upgradeId + "/" + step;
    }
}
