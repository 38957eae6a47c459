package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.StepName;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sets the application's source and new inputs at deployment level. They affect servers launched afterwards only;
 * the running servers keep theirs. Undo: restore the inputs saved before.
 */
@ApplicationScoped
public class SetInputsStep implements StepHandler {

    /** The deployment inputs that name the application's code, as the runbook's ServerTemplates call them. */
    public static final String REPOSITORY_URL = "REPOSITORY_URL";

    public static final String REPOSITORY_REF = "REPOSITORY_REF";

    private final Fleet fleet;

    public SetInputsStep(Fleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public StepName step() {
        return StepName.SET_INPUTS;
    }

    @Override
    public StepResult execute(StepContext context) {
        ApplicationUpgrade upgrade = context.spec().application();
        Map<String, String> values = new LinkedHashMap<>();
        values.put(REPOSITORY_URL, upgrade.repository());
        values.put(REPOSITORY_REF, upgrade.ref());
        if (upgrade.inputs() != null) {
            values.putAll(upgrade.inputs());
        }
        fleet.setInputs(context.upgradeId(), context.deployment(), values);
        return StepResult.done(Map.of("inputsSet", String.join(", ", values.keySet())));
    }

    @Override
    public void compensate(StepContext context) {
        fleet.restoreInputs(context.upgradeId());
    }
}
