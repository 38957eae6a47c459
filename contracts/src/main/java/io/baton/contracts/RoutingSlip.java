package io.baton.contracts;

import io.baton.contracts.facts.Facts;
import io.baton.contracts.facts.StepFacts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan as it travels: the ordered steps with their status, and the facts the steps have produced so far (new
 * server ids, snapshot ids, positions) so that a later step or a compensation finds what it needs in the event itself.
 */
public record RoutingSlip(List<SlipStep> steps, Map<String, String> facts) {

    public RoutingSlip {
        steps = List.copyOf(steps);
        facts = facts == null ? Map.of() : Map.copyOf(facts);
    }

    public SlipStep step(int index) {
        return steps.get(index);
    }

    public RoutingSlip withStatus(int index, StepStatus status) {
        List<SlipStep> copy = new ArrayList<>(steps);
        copy.set(index, steps.get(index).withStatus(status));
        return new RoutingSlip(copy, facts);
    }

    public RoutingSlip withFacts(StepFacts more) {
        Map<String, String> merged = new LinkedHashMap<>(facts);
        merged.putAll(Facts.write(more));
        return new RoutingSlip(steps, merged);
    }

    /** The facts the steps so far left, as the record a step reads; fails naming the first one missing. */
    public <T extends StepFacts> T facts(Class<T> type) {
        return Facts.read(facts, type);
    }

    /** The step to run after {@code index}, if any. */
    public Optional<SlipStep> after(int index) {
        return index + 1 < steps.size() ? Optional.of(steps.get(index + 1)) : Optional.empty();
    }

    /**
     * The step a rollback undoes next: the newest completed step that has a compensation. Empty when nothing is left
     * to undo, that is, when the rollback is finished.
     */
    public Optional<SlipStep> nextToCompensate() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            SlipStep s = steps.get(i);
            if (s.status() == StepStatus.COMPLETED && s.compensable()) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
