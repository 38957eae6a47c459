package io.baton.cloud.steps;

import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.ArraysUpdated;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Give the server arrays the new servers' template (when the upgrade changes it) and enable them. Deployment-level
 * inputs stay where they are, so the array's servers get the new ones. Undo: the old template and the state before.
 */
@ApplicationScoped
public class UpdateArrayStep implements StepHandler {

    private final ArrayChanges arrays;

    public UpdateArrayStep(ArrayChanges arrays) {
        this.arrays = arrays;
    }

    @Override
    public StepName step() {
        return StepName.UPDATE_ARRAY;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerConfig change = context.spec().application().serverChange();
        return StepResult.done(new ArraysUpdated(arrays.change(context, a -> {
            if (change != null && change.serverTemplate() != null) {
                a.serverTemplate = change.serverTemplate();
            }
            if (change != null && change.templateRevision() != null) {
                a.templateRevision = change.templateRevision();
            }
            a.enabled = true;
        })));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        arrays.restore(context);
        return None.INSTANCE;
    }
}
