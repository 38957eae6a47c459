package io.baton.contracts.facts;

/** A step that leaves nothing in the slip. */
public record None() implements StepFacts {

    public static final None INSTANCE = new None();
}
