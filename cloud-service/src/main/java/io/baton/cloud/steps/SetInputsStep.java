package io.baton.cloud.steps;

import io.baton.cloud.fleet.InputBackups;
import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.InputsSet;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
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

    private final InputBackups inputs;

    public SetInputsStep(InputBackups inputs) {
        this.inputs = inputs;
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
        inputs.set(context.upgradeId(), context.deployment(), values);
        return StepResult.done(new InputsSet(List.copyOf(values.keySet())));
    }

    @Override
    public StepFacts undo(StepContext context) {
        inputs.restore(context.upgradeId(), step().name());
        return None.INSTANCE;
    }
}
