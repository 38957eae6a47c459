package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.fleet.Servers;
import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.Json;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.MasterBackedUp;
import io.baton.contracts.facts.DatabaseFacts.NewSlaveLaunched;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Clone the new master into a new slave and launch it from the master's backup, replicating from the new master. */
@ApplicationScoped
public class LaunchNewSlaveStep implements StepHandler {

    private final Deployments deployments;
    private final Servers servers;
    private final Launcher launcher;

    public LaunchNewSlaveStep(Deployments deployments, Servers servers, Launcher launcher) {
        this.deployments = deployments;
        this.servers = servers;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.LAUNCH_NEW_SLAVE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        DeploymentView deployment = deployments
                .deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        ServerView master = deployment
                .server(context.facts(SlaveCreated.class).candidateId())
                .orElseThrow(() -> new StepFailedException("the new master is no longer in the inventory"));
        String id = ServerNames.id(context.upgradeId(), "replacement");
        String name =
                deployment.server(id).map(ServerView::name).orElseGet(() -> ServerNames.nextName(deployment, master));
        servers.create(
                context.upgradeId(),
                new Servers.NewServer(
                        id,
                        context.deployment(),
                        name,
                        Role.SLAVE,
                        master.config(),
                        Json.write(master.inputs()),
                        Json.write(master.alerts()),
                        master.id()));
        String backup = context.facts(MasterBackedUp.class).snapshotId();
        ServerView launched = launcher.launch(context, id, new CloudProvider.Launch(master, backup));
        return StepResult.done(new NewSlaveLaunched(launched.id(), launched.name(), launched.address()));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        String id = ServerNames.id(context.upgradeId(), "replacement");
        launcher.terminate(context, id);
        servers.delete(context.upgradeId(), id);
        return None.INSTANCE;
    }
}
