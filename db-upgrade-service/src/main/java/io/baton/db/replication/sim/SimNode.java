package io.baton.db.replication.sim;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A simulated database server. A master's position grows at {@code rate} per second from {@code basePosition} at
 * {@code baseAt} until it is fenced; a replica applies its master's stream after a small delay, starting
 * {@code backlog} behind and catching up by {@code catchUpAt}.
 */
@Entity
@Table(name = "sim_node")
public class SimNode {

    @Id
    public String id;

    public String deployment;
    public String name;
    /** Null for a master. */
    public String masterId;

    public long rate;
    public long basePosition;
    public Instant baseAt;
    public Instant fencedAt;

    public long backlog;
    public Instant replicaSince;
    public Instant catchUpAt;

    /** The proof of the switchover that made this node master, kept so that a repeated call returns it. */
    public String promotedFrom;

    public String oldMasterFinalPosition;
    public String appliedAtPromotion;
    public long fenceMillis;
}
