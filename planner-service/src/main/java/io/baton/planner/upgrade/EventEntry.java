package io.baton.planner.upgrade;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Every event of an upgrade, in the order the planner received them. */
@Entity
@Table(name = "upgrade_event")
public class EventEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String upgradeId;
    public String eventId;
    public String type;
    public int step;
    public Instant at;

    /** Who asked for it, for the events a person asks for (start, approve, abort). */
    public String actor;

    @Column(columnDefinition = "text")
    public String reason;
}
