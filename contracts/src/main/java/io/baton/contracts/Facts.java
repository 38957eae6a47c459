package io.baton.contracts;

/** Keys of the facts steps leave in the routing slip for the steps and compensations after them. */
public final class Facts {

    /** The new server that becomes the master. */
    public static final String CANDIDATE_ID = "candidateId";

    public static final String CANDIDATE_NAME = "candidateName";
    public static final String CANDIDATE_ADDRESS = "candidateAddress";
    /** The primary backup of the new master. */
    public static final String SNAPSHOT_ID = "snapshotId";
    /** The new slave of the new master. */
    public static final String REPLACEMENT_ID = "replacementId";

    public static final String REPLACEMENT_NAME = "replacementName";
    public static final String REPLACEMENT_ADDRESS = "replacementAddress";
    /** Replication position the candidate had applied when it was found caught up. */
    public static final String CAUGHT_UP_AT = "caughtUpAt";
    /** The old master's last position and the new master's applied position at promotion: the zero-loss proof. */
    public static final String OLD_MASTER_FINAL_POSITION = "oldMasterFinalPosition";

    public static final String NEW_MASTER_APPLIED_POSITION = "newMasterAppliedPosition";
    public static final String WRITE_FENCE_MILLIS = "writeFenceMillis";

    /** The same proof for the switchover back to the old master when a promoted upgrade is rolled back. */
    public static final String SWITCH_BACK_FINAL_POSITION = "switchBackFinalPosition";

    public static final String SWITCH_BACK_APPLIED_POSITION = "switchBackAppliedPosition";
    public static final String SWITCH_BACK_FENCE_MILLIS = "switchBackFenceMillis";

    private Facts() {}
}
