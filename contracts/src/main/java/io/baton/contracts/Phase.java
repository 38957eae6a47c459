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

    /** Whether the event reports on one step, which it must name, and which only that step's owner may report on. */
    public boolean aboutAStep() {
        return switch (this) {
            case STEP_STARTED,
                    STEP_COMPLETED,
                    STEP_FAILED,
                    COMPENSATION_STARTED,
                    STEP_COMPENSATED,
                    COMPENSATION_FAILED -> true;
            default -> false;
        };
    }

    public boolean walksBack() {
        return this == STEP_FAILED || this == STEP_COMPENSATED;
    }
}
