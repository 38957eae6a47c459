package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.contracts.StepName;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * "Save a copy of the deployment's current inputs before you make any changes": as CSV, kept with the upgrade and
 * downloadable with GET /deployments/{name}/inputs.csv?upgrade={id}. Undo: put them back.
 */
@ApplicationScoped
public class SaveInputsStep implements StepHandler {

    private final Fleet fleet;

    public SaveInputsStep(Fleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public StepName step() {
        return StepName.SAVE_INPUTS;
    }

    @Override
    public StepResult execute(StepContext context) {
        String csv = fleet.saveInputs(context.upgradeId(), context.deployment());
        long inputs = csv.lines().count() - 1;
        return StepResult.done(Map.of("inputsSaved", Long.toString(inputs)));
    }

    @Override
    public void compensate(StepContext context) {
        fleet.restoreInputs(context.upgradeId());
    }
}
