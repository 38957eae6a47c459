package io.baton.lb.steps;

import io.baton.common.Wait;
import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.ApplicationFacts.ServersDraining;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.ServerRef;
import io.baton.contracts.facts.StepFacts;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.balancer.LoadBalancer.State;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Stop sending new sessions to the old servers while keeping the ones they have: drain state, or the health-check
 * file removed, as the request chose. Undo: ready again, or the file back.
 */
@ApplicationScoped
public class DrainOldServersStep implements StepHandler {

    private final Balancers balancers;
    private final Duration attachTimeout;

    public DrainOldServersStep(
            Balancers balancers, @ConfigProperty(name = "baton.lb.attach-timeout") Duration attachTimeout) {
        this.balancers = balancers;
        this.attachTimeout = attachTimeout;
    }

    @Override
    public StepName step() {
        return StepName.DRAIN_OLD_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) {
        boolean byFile = context.spec().application().drainBy() == DrainMode.HEALTH_CHECK_FILE;
        LoadBalancer lb = balancers.current();
        List<ServerRef> old = context.facts(AppServersLaunched.class).oldServers();
        for (ServerRef server : old) {
            if (byFile) {
                lb.setHealthCheckFile(context.deployment(), server.name(), false);
            } else {
                lb.setState(context.deployment(), server.name(), State.DRAIN);
            }
        }
        return StepResult.done(
                new ServersDraining(AttachNewServersStep.names(old), byFile ? "health-check file" : "drain state"));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        LoadBalancer lb = balancers.current();
        Wait deadline = Wait.forThe("the old servers' health checks to pass again", attachTimeout);
        for (ServerRef server : context.facts(AppServersLaunched.class).oldServers()) {
            lb.setHealthCheckFile(context.deployment(), server.name(), true);
            // ready only once its health check passes again, as when it was first attached
            try {
                Wait.forThe(server.name() + "'s health check to pass again", deadline.remaining())
                        .every(Duration.ofMillis(50))
                        .until(() -> lb.healthy(context.deployment(), server.name()));
            } catch (Wait.Unfinished e) {
                throw new StepFailedException(server.name() + " did not pass its health check within " + attachTimeout
                        + " after its health-check file was put back; it was left out of rotation");
            }
            lb.setState(context.deployment(), server.name(), State.READY);
        }
        return None.INSTANCE;
    }
}
