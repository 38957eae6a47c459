package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.fleet.Servers;
import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Minor change: clone the current slave and edit it. Major change: add a server from the (new) template. Either way
 * the slave's inputs and alerts are carried over. Undo: delete the new server.
 */
@ApplicationScoped
public class CreateSlaveStep implements StepHandler {

    private final Deployments deployments;
    private final Servers servers;
    private final Launcher launcher;

    public CreateSlaveStep(Deployments deployments, Servers servers, Launcher launcher) {
        this.deployments = deployments;
        this.servers = servers;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.CREATE_SLAVE;
    }

    @Override
    public StepResult execute(StepContext context) throws StepFailedException {
        DatabaseUpgrade upgrade = context.spec().database();
        DeploymentView deployment = deployments
                .deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        ServerView slave = deployment
                .server(upgrade.topology().slaveId())
                .filter(s -> s.state() == ServerState.OPERATIONAL)
                .orElseThrow(() -> new StepFailedException(
                        "the slave " + upgrade.topology().slaveName() + " is not operational; nothing to clone"));
        ServerConfig config = upgrade.classification() == Classification.MINOR
                ? slave.config().apply(upgrade.change())
                : upgrade.target();
        String id = ServerNames.id(context.upgradeId(), "candidate");
        String name =
                deployment.server(id).map(ServerView::name).orElseGet(() -> ServerNames.nextName(deployment, slave));
        ServerView created = servers.create(
                context.upgradeId(),
                new Servers.NewServer(
                        id,
                        context.deployment(),
                        name,
                        Role.SLAVE,
                        config,
                        Json.write(slave.inputs()),
                        Json.write(slave.alerts()),
                        upgrade.topology().masterId()));
        return StepResult.done(new SlaveCreated(created.id(), created.name()));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        String id = ServerNames.id(context.upgradeId(), "candidate");
        launcher.terminate(context, id);
        servers.delete(context.upgradeId(), id);
        launcher.sweep(context);
        return None.INSTANCE;
    }
}
