package io.baton.contracts;

import io.baton.contracts.api.Limits;
import jakarta.validation.constraints.Size;

/**
 * A pre-upgrade migration: {@code up} runs before the new servers start; {@code down} undoes it on rollback.
 *
 * @param name a label for the timeline, e.g. {@code 2026-11-add-order-notes}
 */
public record Migration(
        @Size(max = Limits.TEXT) String name,
        @Size(max = Limits.SCRIPT) String up,
        @Size(max = Limits.SCRIPT) String down) {}
