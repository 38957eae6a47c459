package io.baton.contracts;

/**
 * A pre-upgrade migration: {@code up} runs before the new servers start; {@code down} undoes it on rollback.
 *
 * @param name a label for the timeline, e.g. {@code 2026-11-add-order-notes}
 */
public record Migration(String name, String up, String down) {}
