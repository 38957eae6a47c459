package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.Facts;
import io.baton.contracts.Json;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Clone the new master into a new slave and launch it from the master's backup, replicating from the new master. */
@ApplicationScoped
public class LaunchNewSlaveStep implements StepHandler {

    private final Fleet fleet;
    private final Launcher launcher;

    public LaunchNewSlaveStep(Fleet fleet, Launcher launcher) {
        this.fleet = fleet;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.LAUNCH_NEW_SLAVE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        DeploymentView deployment = fleet.deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        ServerView master = fleet.server(context.fact(Facts.CANDIDATE_ID))
                .orElseThrow(() -> new StepFailedException("the new master is no longer in the inventory"));
        String id = Servers.id(context.upgradeId(), "replacement");
        String name = fleet.server(id).map(ServerView::name).orElseGet(() -> Servers.nextName(deployment, master));
        fleet.createServer(
                context.upgradeId(),
                id,
                context.deployment(),
                name,
                Role.SLAVE,
                master.config(),
                Json.write(master.inputs()),
                Json.write(master.alerts()),
                master.id());
        ServerView launched =
                launcher.launch(context, id, new CloudProvider.Launch(master, context.fact(Facts.SNAPSHOT_ID)));
        return StepResult.done(Map.of(
                Facts.REPLACEMENT_ID, launched.id(),
                Facts.REPLACEMENT_NAME, launched.name(),
                Facts.REPLACEMENT_ADDRESS, launched.address()));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        String id = Servers.id(context.upgradeId(), "replacement");
        launcher.terminate(context, id);
        fleet.delete(context.upgradeId(), id);
    }
}
