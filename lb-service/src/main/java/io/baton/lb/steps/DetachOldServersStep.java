package io.baton.lb.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.ApplicationFacts.ServersDetached;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.ServerRef;
import io.baton.contracts.facts.StepFacts;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.balancer.LoadBalancer.State;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Detach the old servers: maintenance, then out of the balancer. Undo: attach them again, still drained. */
@ApplicationScoped
public class DetachOldServersStep implements StepHandler {

    private final Balancers balancers;

    public DetachOldServersStep(Balancers balancers) {
        this.balancers = balancers;
    }

    @Override
    public StepName step() {
        return StepName.DETACH_OLD_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) {
        LoadBalancer lb = balancers.current();
        List<ServerRef> old = context.facts(AppServersLaunched.class).oldServers();
        for (ServerRef server : old) {
            if (lb.members(context.deployment()).stream()
                    .anyMatch(m -> m.server().equals(server.name()))) {
                lb.setState(context.deployment(), server.name(), State.MAINT);
                lb.remove(context.deployment(), server.name());
            }
        }
        return StepResult.done(new ServersDetached(AttachNewServersStep.names(old)));
    }

    @Override
    public StepFacts undo(StepContext context) {
        LoadBalancer lb = balancers.current();
        List<ServerRef> old = context.facts(AppServersLaunched.class).oldServers();
        old.forEach(server -> lb.add(context.deployment(), server.name(), server.address()));
        // back as the drain left them, taking no new sessions: undoing the drain, next, makes them ready once
        // their health check passes (drained by health-check file, it cannot pass before)
        for (ServerRef server : old) {
            lb.setState(context.deployment(), server.name(), State.DRAIN);
        }
        return None.INSTANCE;
    }
}
