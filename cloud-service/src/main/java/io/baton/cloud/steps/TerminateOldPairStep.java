package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.fleet.Servers;
import io.baton.contracts.StepName;
import io.baton.contracts.Topology;
import io.baton.contracts.facts.DatabaseFacts.NewSlaveLaunched;
import io.baton.contracts.facts.DatabaseFacts.OldPairTerminated;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * The pivot: terminate the old master and slave, and record the new pair as the deployment's master and slave.
 * Nothing before it is undone once it starts.
 */
@ApplicationScoped
public class TerminateOldPairStep implements StepHandler {

    private final Servers servers;
    private final Launcher launcher;
    private final Deployments deployments;

    public TerminateOldPairStep(Servers servers, Launcher launcher, Deployments deployments) {
        this.servers = servers;
        this.launcher = launcher;
        this.deployments = deployments;
    }

    @Override
    public StepName step() {
        return StepName.TERMINATE_OLD_PAIR;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        Topology old = context.spec().database().topology();
        DeploymentView fleet = checkAgainstTheFleet(context, old);
        for (String id : List.of(old.masterId(), old.slaveId())) {
            // an old server that is in no deployment any more has nothing left to terminate
            Optional<ServerView> server = fleet.server(id);
            if (server.isPresent()) {
                launcher.retire(context, server.get());
            }
        }
        servers.promote(
                context.facts(SlaveCreated.class).candidateId(),
                context.facts(NewSlaveLaunched.class).replacementId());
        return StepResult.done(new OldPairTerminated(List.of(old.masterName(), old.slaveName())));
    }

    /**
     * The event names what to terminate; the inventory decides whether to believe it. The old pair must be servers of
     * this deployment, and the new pair servers this very upgrade launched in it: an event that names anything else
     * (forged, or for an upgrade this service never ran) terminates nothing.
     */
    private DeploymentView checkAgainstTheFleet(StepContext context, Topology old) throws StepFailedException {
        DeploymentView fleet = deployments
                .deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException(
                        "deployment " + context.deployment() + " is not in the inventory; nothing terminated"));
        for (String id : List.of(old.masterId(), old.slaveId())) {
            if (fleet.server(id).isEmpty() && servers.find(id).isPresent()) {
                throw new StepFailedException(
                        "server " + id + " is not one of " + context.deployment() + "'s servers; nothing terminated");
            }
        }
        List<String> newPair;
        try {
            newPair = java.util.Arrays.asList(
                    context.facts(SlaveCreated.class).candidateId(),
                    context.facts(NewSlaveLaunched.class).replacementId());
        } catch (RuntimeException e) {
            throw new StepFailedException("the event names no new pair launched by this upgrade; nothing terminated");
        }
        for (String id : newPair) {
            boolean ours = fleet.server(id)
                    .map(s -> context.upgradeId().equals(s.createdBy()))
                    .orElse(false);
            if (!ours) {
                throw new StepFailedException("server " + id + " was not launched by upgrade " + context.upgradeId()
                        + " in " + context.deployment() + "; the old pair stays, nothing terminated");
            }
        }
        return fleet;
    }
}
