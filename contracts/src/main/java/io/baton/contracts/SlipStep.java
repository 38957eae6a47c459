package io.baton.contracts;

/**
 * One step of a routing slip.
 *
 * @param pivot the point of no return: once it starts, nothing before it is compensated any more
 */
public record SlipStep(int index, StepName name, Owner owner, boolean compensable, boolean pivot, StepStatus status) {

    public static SlipStep pending(int index, StepName name, boolean pivot) {
        return new SlipStep(index, name, name.owner(), name.compensable() && !pivot, pivot, StepStatus.PENDING);
    }

    public SlipStep withStatus(StepStatus newStatus) {
        return new SlipStep(index, name, owner, compensable, pivot, newStatus);
    }
}
