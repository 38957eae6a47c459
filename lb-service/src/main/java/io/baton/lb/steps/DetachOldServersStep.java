package io.baton.lb.steps;

import io.baton.contracts.StepName;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.balancer.LoadBalancer.State;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Detach the old servers: maintenance, then out of the balancer. Undo: attach them again, still drained. */
@ApplicationScoped
public class DetachOldServersStep implements StepHandler {

    private final Members members;

    public DetachOldServersStep(Members members) {
        this.members = members;
    }

    @Override
    public StepName step() {
        return StepName.DETACH_OLD_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) {
        LoadBalancer lb = members.balancer();
        Map<String, String> old = Members.parse(context.fact(Members.OLD_SERVERS));
        for (String server : old.keySet()) {
            if (lb.members(context.deployment()).stream()
                    .anyMatch(m -> m.server().equals(server))) {
                lb.setState(context.deployment(), server, State.MAINT);
                lb.remove(context.deployment(), server);
            }
        }
        return StepResult.done(Map.of("detached", String.join(", ", old.keySet())));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        LoadBalancer lb = members.balancer();
        Map<String, String> old = Members.parse(context.fact(Members.OLD_SERVERS));
        old.forEach((server, address) -> lb.add(context.deployment(), server, address));
        // back as the drain left them, taking no new sessions: undoing the drain, next, makes them ready once
        // their health check passes (drained by health-check file, it cannot pass before)
        for (String server : old.keySet()) {
            lb.setState(context.deployment(), server, State.DRAIN);
        }
    }
}
