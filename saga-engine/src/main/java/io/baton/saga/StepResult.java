package io.baton.saga;

import java.util.Map;

/**
 * What a completed step leaves behind.
 *
 * @param facts added to the routing slip for later steps and compensations (new server ids, positions, ...)
 * @param waiting the step is not done yet: something outside the service completes it later
 */
public record StepResult(Map<String, String> facts, boolean waiting) {

    public static StepResult done(Map<String, String> facts) {
        return new StepResult(facts, false);
    }

    public static StepResult done() {
        return new StepResult(Map.of(), false);
    }

    public static StepResult waitingForOperator() {
        return new StepResult(Map.of(), true);
    }
}
