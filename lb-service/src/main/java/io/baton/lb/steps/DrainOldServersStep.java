package io.baton.lb.steps;

import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.StepName;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.balancer.LoadBalancer.State;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Stop sending new sessions to the old servers while keeping the ones they have: drain state, or the health-check
 * file removed, as the request chose. Undo: ready again, or the file back.
 */
@ApplicationScoped
public class DrainOldServersStep implements StepHandler {

    private final Members members;
    private final Duration attachTimeout;

    public DrainOldServersStep(
            Members members, @ConfigProperty(name = "baton.lb.attach-timeout") Duration attachTimeout) {
        this.members = members;
        this.attachTimeout = attachTimeout;
    }

    @Override
    public StepName step() {
        return StepName.DRAIN_OLD_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) {
        boolean byFile = context.spec().application().drainBy() == DrainMode.HEALTH_CHECK_FILE;
        LoadBalancer lb = members.balancer();
        Map<String, String> old = Members.parse(context.fact(Members.OLD_SERVERS));
        for (String server : old.keySet()) {
            if (byFile) {
                lb.setHealthCheckFile(context.deployment(), server, false);
            } else {
                lb.setState(context.deployment(), server, State.DRAIN);
            }
        }
        return StepResult.done(Map.of(
                "draining", String.join(", ", old.keySet()), "drainBy", byFile ? "health-check file" : "drain state"));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        LoadBalancer lb = members.balancer();
        long deadline = System.nanoTime() + attachTimeout.toNanos();
        for (String server : Members.parse(context.fact(Members.OLD_SERVERS)).keySet()) {
            lb.setHealthCheckFile(context.deployment(), server, true);
            // ready only once its health check passes again, as when it was first attached
            while (!lb.healthy(context.deployment(), server)) {
                if (System.nanoTime() > deadline) {
                    throw new StepFailedException(server + " did not pass its health check within " + attachTimeout
                            + " after its health-check file was put back; it was left out of rotation");
                }
                Thread.sleep(50);
            }
            lb.setState(context.deployment(), server, State.READY);
        }
    }
}
