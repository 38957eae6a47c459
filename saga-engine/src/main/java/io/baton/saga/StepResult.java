package io.baton.saga;

import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;

/**
 * What a completed step leaves behind.
 *
 * @param facts added to the routing slip for later steps and compensations (new server ids, positions, ...)
 * @param waiting the step is not done yet: something outside the service completes it later
 */
public record StepResult(StepFacts facts, boolean waiting) {

    public static StepResult done(StepFacts facts) {
        return new StepResult(facts, false);
    }

    public static StepResult done() {
        return new StepResult(None.INSTANCE, false);
    }

    public static StepResult waitingForOperator() {
        return new StepResult(None.INSTANCE, true);
    }
}
