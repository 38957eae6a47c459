package io.baton.cloud.steps;

import io.baton.cloud.fleet.Servers;
import io.baton.contracts.StepName;
import io.baton.contracts.Topology;
import io.baton.contracts.facts.DatabaseFacts.NewSlaveLaunched;
import io.baton.contracts.facts.DatabaseFacts.OldPairTerminated;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The pivot: terminate the old master and slave, and record the new pair as the deployment's master and slave.
 * Nothing before it is undone once it starts.
 */
@ApplicationScoped
public class TerminateOldPairStep implements StepHandler {

    private final Servers servers;
    private final Launcher launcher;

    public TerminateOldPairStep(Servers servers, Launcher launcher) {
        this.servers = servers;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.TERMINATE_OLD_PAIR;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        Topology old = context.spec().database().topology();
        for (String id : List.of(old.masterId(), old.slaveId())) {
            ServerView server = servers.find(id).orElse(null);
            if (server != null) {
                launcher.retire(context, server);
            }
        }
        servers.promote(
                context.facts(SlaveCreated.class).candidateId(),
                context.facts(NewSlaveLaunched.class).replacementId());
        return StepResult.done(new OldPairTerminated(List.of(old.masterName(), old.slaveName())));
    }
}
