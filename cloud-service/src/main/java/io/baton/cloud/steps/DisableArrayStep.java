package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.contracts.StepName;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/** Disable the deployment's server arrays so that they launch no servers while servers are replaced. */
@ApplicationScoped
public class DisableArrayStep implements StepHandler {

    private final Fleet fleet;

    public DisableArrayStep(Fleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public StepName step() {
        return StepName.DISABLE_ARRAY;
    }

    @Override
    public StepResult execute(StepContext context) {
        List<String> arrays =
                fleet.changeArrays(context.upgradeId(), step().name(), context.deployment(), a -> a.enabled = false);
        return StepResult.done(Map.of("arraysDisabled", arrays.isEmpty() ? "none" : String.join(", ", arrays)));
    }

    @Override
    public void compensate(StepContext context) {
        fleet.restoreArrays(context.upgradeId(), step().name(), context.deployment());
    }
}
