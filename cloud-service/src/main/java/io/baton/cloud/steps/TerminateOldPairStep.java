package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.Facts;
import io.baton.contracts.StepName;
import io.baton.contracts.Topology;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * The pivot: terminate the old master and slave, and record the new pair as the deployment's master and slave.
 * Nothing before it is undone once it starts.
 */
@ApplicationScoped
public class TerminateOldPairStep implements StepHandler {

    private final Fleet fleet;
    private final Providers providers;

    public TerminateOldPairStep(Fleet fleet, Providers providers) {
        this.fleet = fleet;
        this.providers = providers;
    }

    @Override
    public StepName step() {
        return StepName.TERMINATE_OLD_PAIR;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        Topology old = context.spec().database().topology();
        for (String id : List.of(old.masterId(), old.slaveId())) {
            ServerView server = fleet.server(id).orElse(null);
            if (server != null && server.state() != ServerState.TERMINATED) {
                providers.current().terminate(server);
                fleet.update(id, e -> e.state = ServerState.TERMINATED);
                fleet.log(context.upgradeId(), context.deployment(), "terminate", server.name());
            }
        }
        String master = context.fact(Facts.CANDIDATE_ID);
        fleet.update(master, e -> {
            e.role = Role.MASTER;
            e.replicaOf = null;
        });
        fleet.update(context.fact(Facts.REPLACEMENT_ID), e -> {
            e.role = Role.SLAVE;
            e.replicaOf = master;
        });
        return StepResult.done(Map.of("terminated", old.masterName() + ", " + old.slaveName()));
    }
}
