package io.baton.lb.steps;

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
 * Attach the new servers: each goes in in maintenance, and is set ready only once its health check passes, since a
 * server set ready before its first check gets traffic. Undo: maintenance, then out.
 */
@ApplicationScoped
public class AttachNewServersStep implements StepHandler {

    private final Members members;
    private final Duration attachTimeout;

    public AttachNewServersStep(
            Members members, @ConfigProperty(name = "baton.lb.attach-timeout") Duration attachTimeout) {
        this.members = members;
        this.attachTimeout = attachTimeout;
    }

    @Override
    public StepName step() {
        return StepName.ATTACH_NEW_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        LoadBalancer lb = members.balancer();
        Members.parse(context.fact(Members.OLD_SERVERS))
                .forEach((server, address) -> lb.ensureServing(context.deployment(), server, address));
        Map<String, String> servers = Members.parse(context.fact(Members.NEW_SERVERS));
        servers.forEach((server, address) -> lb.add(context.deployment(), server, address));
        long deadline = System.nanoTime() + attachTimeout.toNanos();
        for (String server : servers.keySet()) {
            while (!lb.healthy(context.deployment(), server)) {
                context.checkNotAborted();
                if (System.nanoTime() > deadline) {
                    throw new StepFailedException(server + " did not pass its health check within " + attachTimeout
                            + "; it was not given traffic");
                }
                Thread.sleep(50);
            }
            lb.setState(context.deployment(), server, State.READY);
        }
        return StepResult.done(Map.of("attached", String.join(", ", servers.keySet())));
    }

    @Override
    public void compensate(StepContext context) {
        LoadBalancer lb = members.balancer();
        for (String server : Members.parse(context.fact(Members.NEW_SERVERS)).keySet()) {
            if (lb.members(context.deployment()).stream()
                    .anyMatch(m -> m.server().equals(server))) {
                lb.setState(context.deployment(), server, State.MAINT);
                lb.remove(context.deployment(), server);
            }
        }
    }
}
