package io.baton.contracts;

/** What a saga event reports. The CloudEvents type says the same for readers that look only at headers. */
public enum Phase {
    /** The planner published a new plan: the first owner starts. */
    REQUESTED,
    STEP_STARTED,
    STEP_COMPLETED,
    /** A step did not complete (or the operator aborted): the slip is walked backwards from here. */
    STEP_FAILED,
    COMPENSATION_STARTED,
    STEP_COMPENSATED,
    COMPENSATION_FAILED,
    /** The operator asked to stop: whoever holds the baton turns around. */
    ABORT_REQUESTED,
    UPGRADE_COMPLETED,
    UPGRADE_ROLLED_BACK,
    UPGRADE_FAILED;

    public boolean walksBack() {
        return this == STEP_FAILED || this == STEP_COMPENSATED;
    }
}
