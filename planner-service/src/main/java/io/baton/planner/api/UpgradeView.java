package io.baton.planner.api;

import io.baton.contracts.Classification;
import io.baton.contracts.UpgradeKind;
import io.baton.planner.upgrade.StepOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An upgrade and its timeline: every step with its owner, times, outcome and details, then every event; who started,
 * approved and aborted it.
 */
public record UpgradeView(
        String id,
        String deployment,
        UpgradeKind kind,
        String state,
        Classification classification,
        String reason,
        String failure,
        String requestedBy,
        String approvedBy,
        String abortedBy,
        Instant createdAt,
        Instant updatedAt,
        Instant endedAt,
        List<StepView> steps,
        List<EventView> events) {

    public record StepView(
            int index,
            String name,
            String owner,
            boolean pivot,
            StepOutcome outcome,
            Instant startedAt,
            Instant endedAt,
            Instant compensationStartedAt,
            Instant compensatedAt,
            Map<String, String> details) {}

    /** @param actor who asked for it: set on the events a person asks for (start, approve, abort) */
    public record EventView(Instant at, String type, int step, String reason, String actor) {}
}
