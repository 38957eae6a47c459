package io.baton.saga;

import io.baton.contracts.StepName;

/**
 * The action and compensation of one step type, in the service that owns it. Both run on a worker thread, may block,
 * and must be idempotent: after a crash they are called again and must find what already happened instead of
 * repeating it.
 */
public interface StepHandler {

    StepName step();

    /**
     * Does the step. Throws {@link StepFailedException} when it cannot be done; before throwing, it undoes whatever
     * part of the step already happened.
     */
    StepResult execute(StepContext context) throws Exception;

    /** Undoes a completed step. Only called for steps whose {@link StepName#compensable()} is true. */
    default void compensate(StepContext context) throws Exception {}

    /** Undoes a completed step and returns what the undo found out, for the slip; by default, {@link #compensate}. */
    default java.util.Map<String, String> undo(StepContext context) throws Exception {
        compensate(context);
        return java.util.Map.of();
    }
}
