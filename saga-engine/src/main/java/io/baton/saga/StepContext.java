package io.baton.saga;

import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.UpgradeSpec;
import io.baton.contracts.facts.StepFacts;
import java.util.function.BooleanSupplier;

/**
 * What a step handler gets: the event that started the step (with the routing slip and its facts) and a way to learn
 * that the operator aborted meanwhile, so that long waits can stop early.
 */
public record StepContext(SagaEvent trigger, SlipStep step, BooleanSupplier abortRequested) {

    public String upgradeId() {
        return trigger.upgradeId();
    }

    public String deployment() {
        return trigger.deployment();
    }

    public UpgradeSpec spec() {
        return trigger.spec();
    }

    /** What the steps before this one left in the slip, as the record this step reads. */
    public <T extends StepFacts> T facts(Class<T> type) {
        return trigger.slip().facts(type);
    }

    /** Throws when the operator aborted the upgrade; call it inside long waits. */
    public void checkNotAborted() throws StepFailedException {
        if (abortRequested.getAsBoolean()) {
            throw new StepFailedException(SagaRules.ABORTED);
        }
    }
}
