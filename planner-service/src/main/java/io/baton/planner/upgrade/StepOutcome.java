package io.baton.planner.upgrade;

/** How a step of an upgrade stands on its timeline. */
public enum StepOutcome {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    /** The upgrade turned around before the step started. */
    NOT_RUN,
    COMPENSATING,
    COMPENSATED,
    COMPENSATION_FAILED
}
