package io.baton.cloud.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.ArraysDisabled;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Disable the deployment's server arrays so that they launch no servers while servers are replaced. */
@ApplicationScoped
public class DisableArrayStep implements StepHandler {

    private final ArrayChanges arrays;

    public DisableArrayStep(ArrayChanges arrays) {
        this.arrays = arrays;
    }

    @Override
    public StepName step() {
        return StepName.DISABLE_ARRAY;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        return StepResult.done(new ArraysDisabled(arrays.change(context, a -> a.enabled = false)));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        arrays.restore(context);
        return None.INSTANCE;
    }
}
