package io.baton.saga;

/** A run of a step: its action, or its compensation during a rollback. */
public enum Mode {
    ACTION,
    COMPENSATION
}
