package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.fleet.ServerArrayEntity;
import io.baton.cloud.fleet.ServerArrays;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.saga.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.Consumer;

/**
 * A step's change to the deployment's server arrays, made in the inventory (which keeps them as they were for the
 * undo) and then in the cloud's own arrays, such as Auto Scaling groups. Both halves can run again.
 */
@ApplicationScoped
class ArrayChanges {

    private final ServerArrays arrays;
    private final Deployments deployments;
    private final Providers providers;

    ArrayChanges(ServerArrays arrays, Deployments deployments, Providers providers) {
        this.arrays = arrays;
        this.deployments = deployments;
        this.providers = providers;
    }

    List<String> change(StepContext context, Consumer<ServerArrayEntity> change) throws Exception {
        List<String> changed =
                arrays.change(context.upgradeId(), context.step().name().name(), context.deployment(), change);
        sync(context);
        return changed;
    }

    void restore(StepContext context) throws Exception {
        arrays.restore(context.upgradeId(), context.step().name().name(), context.deployment());
        sync(context);
    }

    private void sync(StepContext context) throws Exception {
        providers
                .current()
                .syncArrays(
                        context.deployment(),
                        deployments
                                .deployment(context.deployment())
                                .map(DeploymentView::arrays)
                                .orElse(List.of()));
    }
}
