package io.baton.contracts.facts;

import java.util.List;

/** The facts of the database runbook's steps, in plan order. */
public final class DatabaseFacts {

    private DatabaseFacts() {}

    /** CREATE_SLAVE: the new server, in the inventory, that becomes the master. */
    public record SlaveCreated(String candidateId, String candidateName) implements StepFacts {}

    /** LAUNCH_SLAVE: where the new server answers once launched as a slave of the running master. */
    public record SlaveLaunched(String candidateAddress) implements StepFacts {}

    /** What the replication steps need of the new server: {@link SlaveCreated} and {@link SlaveLaunched} together. */
    public record Candidate(String candidateId, String candidateName, String candidateAddress) implements StepFacts {}

    /**
     * AWAIT_CATCH_UP: the exact position the new slave had applied when found caught up, and the master's when the wait
     * began.
     */
    public record ReplicaCaughtUp(String caughtUpAt, String masterPositionAtStart, long catchUpMillis)
            implements StepFacts {}

    /** CHECK_FIREWALL: what was checked, in words. */
    public record FirewallVerified(String firewall) implements StepFacts {}

    /**
     * PROMOTE: the zero-loss proof: the old master's last position before the fence, what the new master had applied
     * when promoted, and how long writes were held.
     */
    public record MasterPromoted(String oldMasterFinalPosition, String newMasterAppliedPosition, long writeFenceMillis)
            implements StepFacts {}

    /** PROMOTE undone: the same proof for the switchover back to the old master. */
    public record SwitchedBack(
            String switchBackFinalPosition, String switchBackAppliedPosition, long switchBackFenceMillis)
            implements StepFacts {}

    /** BACKUP_MASTER: the primary backup of the new master, complete. */
    public record MasterBackedUp(String snapshotId) implements StepFacts {}

    /** VERIFY_MASTER: the databases the new master lists, having taken a write. */
    public record MasterVerified(List<String> databases) implements StepFacts {}

    /** LAUNCH_NEW_SLAVE: the new slave of the new master. */
    public record NewSlaveLaunched(String replacementId, String replacementName, String replacementAddress)
            implements StepFacts {}

    /** AWAIT_NEW_SLAVE_SYNC: the position the new slave had applied when found in sync. */
    public record NewSlaveInSync(String newSlaveAppliedPosition) implements StepFacts {}

    /** TERMINATE_OLD_PAIR: the old master and slave, terminated. */
    public record OldPairTerminated(List<String> terminated) implements StepFacts {}
}
