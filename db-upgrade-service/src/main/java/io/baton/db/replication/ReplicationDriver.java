package io.baton.db.replication;

import io.baton.saga.StepFailedException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Replication and promotion of one engine. Positions are exact (an LSN, a GTID set, a sim counter), never a lag in
 * seconds. Every method is safe to call again after a crash.
 */
public interface ReplicationDriver {

    /** A database server as the driver reaches it. */
    record Node(String id, String name, String address) {}

    /**
     * A replica found caught up.
     *
     * @param target the master's position when the wait began
     * @param applied the replica's applied position when it was reached
     */
    record CatchUp(String target, String applied, long waitedMillis) {}

    /**
     * The proof of a switchover.
     *
     * @param oldMasterFinalPosition the last position the old master wrote before the fence
     * @param newMasterAppliedPosition what the new master had applied when it was promoted
     * @param fenceMillis how long writes were held
     */
    record Switchover(String oldMasterFinalPosition, String newMasterAppliedPosition, long fenceMillis) {}

    record MasterCheck(boolean writable, List<String> databases) {}

    /** Whether this driver replicates servers of {@code engine} (as a server template names it; null: PostgreSQL). */
    default boolean serves(String engine) {
        return true;
    }

    /** Waits until {@code replica} has applied everything {@code master} had written when the call began. */
    CatchUp awaitCatchUp(String deployment, Node master, Node replica, Duration timeout, BooleanSupplier aborted)
            throws StepFailedException, InterruptedException;

    /**
     * Planned switchover: fence writes on the old master, wait until the candidate applied the old master's final
     * position exactly, promote the candidate, point the write path at it, and make the old master its replica so
     * that the switch can be reversed. Refused, with writes resumed on the old master, when the candidate does not
     * catch up within {@code fenceTimeout}. Done already: returns the proof recorded the first time.
     */
    Switchover switchover(String deployment, Node oldMaster, Node candidate, Duration fenceTimeout)
            throws StepFailedException, InterruptedException;

    /** The new master takes a write and lists its databases. */
    MasterCheck verifyMaster(String deployment, Node master) throws StepFailedException;

    /** The deployment's servers as this driver replicates them now; empty when it knows none of them. */
    Optional<ReplicationView> topology(String deployment);
}
