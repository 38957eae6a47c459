package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.ApplicationFacts.OldAppServersTerminated;
import io.baton.contracts.facts.ServerRef;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The pivot of the application runbook: terminate the old application servers, now out of the balancer. */
@ApplicationScoped
public class TerminateOldAppServersStep implements StepHandler {

    private final Deployments deployments;
    private final Launcher launcher;

    public TerminateOldAppServersStep(Deployments deployments, Launcher launcher) {
        this.deployments = deployments;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.TERMINATE_OLD_APP_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        List<String> old = context.facts(AppServersLaunched.class).oldServers().stream()
                .map(ServerRef::name)
                .toList();
        DeploymentView deployment = deployments
                .deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        for (ServerView server : deployment.servers()) {
            if (old.contains(server.name())) {
                launcher.retire(context, server);
            }
        }
        return StepResult.done(new OldAppServersTerminated(old));
    }
}
