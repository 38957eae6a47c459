package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.CloudProvider;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Launching and terminating a server of the inventory, shared by the steps that launch one. */
@ApplicationScoped
class Launcher {

    private final Fleet fleet;
    private final Providers providers;
    private final Duration operationalTimeout;

    Launcher(
            Fleet fleet,
            Providers providers,
            @ConfigProperty(name = "baton.cloud.operational-timeout", defaultValue = "PT10M")
                    Duration operationalTimeout) {
        this.fleet = fleet;
        this.providers = providers;
        this.operationalTimeout = operationalTimeout;
    }

    /** Launches the server unless that already happened, then waits until it is operational. */
    ServerView launch(StepContext context, String serverId, CloudProvider.Launch how) throws Exception {
        CloudProvider provider = providers.current();
        ServerView server = fleet.server(serverId)
                .orElseThrow(() -> new StepFailedException("server " + serverId + " is not in the inventory"));
        if (server.state() == ServerState.OPERATIONAL) {
            return server;
        }
        if (server.address() == null) {
            fleet.update(serverId, e -> e.state = ServerState.PENDING);
            String address = provider.launch(context.deployment(), server, how);
            server = fleet.update(serverId, e -> e.address = address);
            fleet.log(context.upgradeId(), context.deployment(), "launch", server.name());
        }
        provider.awaitOperational(server, operationalTimeout);
        return fleet.update(serverId, e -> e.state = ServerState.OPERATIONAL);
    }

    /** Terminates the server's instance, leaving it in the inventory as never launched. */
    void terminate(StepContext context, String serverId) throws Exception {
        var server = fleet.server(serverId);
        if (server.isEmpty() || server.get().state() == ServerState.DEFINED) {
            return;
        }
        providers.current().terminate(server.get());
        fleet.update(serverId, e -> {
            e.state = ServerState.DEFINED;
            e.address = null;
        });
        fleet.log(
                context.upgradeId(),
                context.deployment(),
                "terminate",
                server.get().name());
    }
}
