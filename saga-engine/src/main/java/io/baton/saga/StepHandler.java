package io.baton.saga;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;

/**
 * The action and compensation of one step type, in the service that owns it. Both run on a worker thread, may block,
 * and must be idempotent: after a crash they are called again and must find what already happened instead of
 * repeating it.
 */
public interface StepHandler {

    StepName step();

    /**
     * Does the step and returns its facts (the record {@link StepName#facts()} names). Throws
     * {@link StepFailedException} when it cannot be done; the engine then calls {@link #undo} for whatever part of the
     * step already happened.
     */
    StepResult execute(StepContext context) throws Exception;

    /**
     * Undoes the step, completed or partly done, and returns what the undo found out for the slip (the proof of a
     * switch back, say), or {@link None}. Called only for steps whose {@link StepName#compensable()} is true.
     */
    default StepFacts undo(StepContext context) throws Exception {
        return None.INSTANCE;
    }
}
