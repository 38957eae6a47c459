package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * Give the server arrays the new servers' template (when the upgrade changes it) and enable them. Deployment-level
 * inputs stay where they are, so the array's servers get the new ones. Undo: the old template and the state before.
 */
@ApplicationScoped
public class UpdateArrayStep implements StepHandler {

    private final Fleet fleet;

    public UpdateArrayStep(Fleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public StepName step() {
        return StepName.UPDATE_ARRAY;
    }

    @Override
    public StepResult execute(StepContext context) {
        ServerConfig change = context.spec().application().serverChange();
        List<String> arrays = fleet.changeArrays(context.upgradeId(), step().name(), context.deployment(), a -> {
            if (change != null && change.serverTemplate() != null) {
                a.serverTemplate = change.serverTemplate();
            }
            if (change != null && change.templateRevision() != null) {
                a.templateRevision = change.templateRevision();
            }
            a.enabled = true;
        });
        return StepResult.done(Map.of("arraysUpdated", arrays.isEmpty() ? "none" : String.join(", ", arrays)));
    }

    @Override
    public void compensate(StepContext context) {
        fleet.restoreArrays(context.upgradeId(), step().name(), context.deployment());
    }
}
