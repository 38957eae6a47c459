package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.Facts;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Minor change: clone the current slave and edit it. Major change: add a server from the (new) template. Either way
 * the slave's inputs and alerts are carried over. Undo: delete the new server.
 */
@ApplicationScoped
public class CreateSlaveStep implements StepHandler {

    private final Fleet fleet;
    private final Launcher launcher;

    public CreateSlaveStep(Fleet fleet, Launcher launcher) {
        this.fleet = fleet;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.CREATE_SLAVE;
    }

    @Override
    public StepResult execute(StepContext context) throws StepFailedException {
        DatabaseUpgrade upgrade = context.spec().database();
        DeploymentView deployment = fleet.deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        ServerView slave = fleet.server(upgrade.topology().slaveId())
                .filter(s -> s.state() == ServerState.OPERATIONAL)
                .orElseThrow(() -> new StepFailedException(
                        "the slave " + upgrade.topology().slaveName() + " is not operational; nothing to clone"));
        ServerConfig config = upgrade.classification() == Classification.MINOR
                ? slave.config().apply(upgrade.change())
                : upgrade.target();
        String id = Servers.id(context.upgradeId(), "candidate");
        String name = fleet.server(id).map(ServerView::name).orElseGet(() -> Servers.nextName(deployment, slave));
        ServerView created = fleet.createServer(
                context.upgradeId(),
                id,
                context.deployment(),
                name,
                Role.SLAVE,
                config,
                Json.write(slave.inputs()),
                Json.write(slave.alerts()),
                upgrade.topology().masterId());
        return StepResult.done(Map.of(Facts.CANDIDATE_ID, created.id(), Facts.CANDIDATE_NAME, created.name()));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        String id = Servers.id(context.upgradeId(), "candidate");
        launcher.terminate(context, id);
        fleet.delete(context.upgradeId(), id);
    }
}
