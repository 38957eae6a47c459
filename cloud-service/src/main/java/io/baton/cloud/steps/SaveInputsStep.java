package io.baton.cloud.steps;

import io.baton.cloud.fleet.InputBackups;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.InputsSaved;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * "Save a copy of the deployment's current inputs before you make any changes": as CSV, kept with the upgrade and
 * downloadable with GET /deployments/{name}/inputs.csv?upgrade={id}. Undo: put them back.
 */
@ApplicationScoped
public class SaveInputsStep implements StepHandler {

    private final InputBackups inputs;

    public SaveInputsStep(InputBackups inputs) {
        this.inputs = inputs;
    }

    @Override
    public StepName step() {
        return StepName.SAVE_INPUTS;
    }

    @Override
    public StepResult execute(StepContext context) {
        String csv = inputs.save(context.upgradeId(), context.deployment());
        return StepResult.done(new InputsSaved((int) csv.lines().count() - 1));
    }

    @Override
    public StepFacts undo(StepContext context) {
        inputs.restore(context.upgradeId(), step().name());
        return None.INSTANCE;
    }
}
