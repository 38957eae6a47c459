package io.baton.lb.steps;

import io.baton.common.Wait;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.ApplicationFacts.ServersAttached;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.ServerRef;
import io.baton.contracts.facts.StepFacts;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.balancer.LoadBalancer.State;
import io.baton.saga.SagaRules;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Attach the new servers: each goes in in maintenance, and is set ready only once its health check passes, since a
 * server set ready before its first check gets traffic. Undo: maintenance, then out.
 */
@ApplicationScoped
public class AttachNewServersStep implements StepHandler {

    private final Balancers balancers;
    private final Duration attachTimeout;

    public AttachNewServersStep(
            Balancers balancers, @ConfigProperty(name = "baton.lb.attach-timeout") Duration attachTimeout) {
        this.balancers = balancers;
        this.attachTimeout = attachTimeout;
    }

    @Override
    public StepName step() {
        return StepName.ATTACH_NEW_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        LoadBalancer lb = balancers.current();
        AppServersLaunched servers = context.facts(AppServersLaunched.class);
        for (ServerRef old : servers.oldServers()) {
            lb.ensureServing(context.deployment(), old.name(), old.address());
        }
        for (ServerRef server : servers.newServers()) {
            lb.add(context.deployment(), server.name(), server.address());
        }
        Wait deadline = Wait.forThe("the new servers' health checks to pass", attachTimeout);
        for (ServerRef server : servers.newServers()) {
            try {
                Wait.forThe(server.name() + "'s health check to pass", deadline.remaining())
                        .every(Duration.ofMillis(50))
                        .stopIf(context.abortRequested(), SagaRules.ABORTED)
                        .until(() -> lb.healthy(context.deployment(), server.name()));
            } catch (Wait.Stopped e) {
                throw new StepFailedException(SagaRules.ABORTED);
            } catch (Wait.TimedOut e) {
                throw new StepFailedException(server.name() + " did not pass its health check within " + attachTimeout
                        + "; it was not given traffic");
            }
            lb.setState(context.deployment(), server.name(), State.READY);
        }
        return StepResult.done(new ServersAttached(names(servers.newServers())));
    }

    @Override
    public StepFacts undo(StepContext context) {
        LoadBalancer lb = balancers.current();
        for (ServerRef server : context.facts(AppServersLaunched.class).newServers()) {
            if (lb.members(context.deployment()).stream()
                    .anyMatch(m -> m.server().equals(server.name()))) {
                lb.setState(context.deployment(), server.name(), State.MAINT);
                lb.remove(context.deployment(), server.name());
            }
        }
        return None.INSTANCE;
    }

    static List<String> names(List<ServerRef> servers) {
        return servers.stream().map(ServerRef::name).toList();
    }
}
