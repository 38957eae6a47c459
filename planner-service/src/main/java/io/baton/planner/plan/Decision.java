package io.baton.planner.plan;

import io.baton.contracts.Classification;
import java.util.List;

/**
 * What the runbook's decision tree says about a requested change.
 *
 * @param classification null when there is nothing to do
 * @param changed the fields that really differ from what the servers have
 */
public record Decision(Classification classification, String reason, List<String> changed) {

    public boolean nothingToDo() {
        return classification == null;
    }
}
