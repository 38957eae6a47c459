package io.baton.contracts;

public enum StepStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    /** The step did not complete; its owner has already undone whatever part of it had happened. */
    FAILED,
    COMPENSATED,
    /** Its compensation failed: the saga stops and an operator must look. */
    COMPENSATION_FAILED
}
