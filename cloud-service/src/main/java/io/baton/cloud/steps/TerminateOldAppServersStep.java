package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;

/** The pivot of the application runbook: terminate the old application servers, now out of the balancer. */
@ApplicationScoped
public class TerminateOldAppServersStep implements StepHandler {

    private final Fleet fleet;
    private final Providers providers;

    public TerminateOldAppServersStep(Fleet fleet, Providers providers) {
        this.fleet = fleet;
        this.providers = providers;
    }

    @Override
    public StepName step() {
        return StepName.TERMINATE_OLD_APP_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        Set<String> old = Names.of(context.fact("oldServers"));
        DeploymentView deployment = fleet.deployment(context.deployment()).orElseThrow();
        for (ServerView server : deployment.servers()) {
            if (old.contains(server.name()) && server.state() != ServerState.TERMINATED) {
                providers.current().terminate(server);
                fleet.update(server.id(), e -> e.state = ServerState.TERMINATED);
                fleet.log(context.upgradeId(), context.deployment(), "terminate", server.name());
            }
        }
        return StepResult.done(Map.of("terminated", String.join(", ", old)));
    }
}
