package io.baton.db.replication;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A switchover of real servers as far as it got: the old master's final position is kept as soon as it is known,
 * the rest once the candidate is promoted, so that a switchover resumed after a restart proves the same thing.
 */
@Entity
@Table(name = "switchover")
public class SwitchoverRecord {

    /** The old master's id, an arrow, the candidate's id. */
    @Id
    public String id;

    public String deployment;
    public String oldMasterFinalPosition;
    public String newMasterAppliedPosition;
    public Long fenceMillis;
    public Instant completedAt;

    /** {@link Switchovers#FENCING} or {@link Switchovers#PROMOTING}: the last part begun; null when none is. */
    public String phase;

    /** How many times an attempt was interrupted (this service stopped in it) and its writes given back. */
    public int interruptions;
}
