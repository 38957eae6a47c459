package io.baton.cloud.steps;

import io.baton.cloud.fleet.ActionLog;
import io.baton.cloud.fleet.Servers;
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

    private final Servers servers;
    private final ActionLog actions;
    private final Providers providers;
    private final Duration operationalTimeout;

    Launcher(
            Servers servers,
            ActionLog actions,
            Providers providers,
            @ConfigProperty(name = "baton.cloud.operational-timeout", defaultValue = "PT10M")
                    Duration operationalTimeout) {
        this.servers = servers;
        this.actions = actions;
        this.providers = providers;
        this.operationalTimeout = operationalTimeout;
    }

    /** Launches the server unless that already happened, then waits until it is operational. */
    ServerView launch(StepContext context, String serverId, CloudProvider.Launch how) throws Exception {
        CloudProvider provider = providers.current();
        ServerView server = servers.find(serverId)
                .orElseThrow(() -> new StepFailedException("server " + serverId + " is not in the inventory"));
        if (server.state() == ServerState.OPERATIONAL) {
            return server;
        }
        if (server.address() == null) {
            servers.launching(serverId);
            String address = provider.launch(context.deployment(), server, how);
            server = servers.placed(serverId, address);
            actions.log(context.upgradeId(), context.deployment(), "launch", server.name());
        }
        provider.awaitOperational(server, operationalTimeout);
        return servers.operational(serverId);
    }

    /** Terminates the server's instance, leaving it in the inventory as never launched. */
    void terminate(StepContext context, String serverId) throws Exception {
        var server = servers.find(serverId);
        if (server.isEmpty() || server.get().state() == ServerState.DEFINED) {
            return;
        }
        providers.current().terminate(server.get());
        servers.unlaunched(serverId);
        actions.log(
                context.upgradeId(),
                context.deployment(),
                "terminate",
                server.get().name());
    }

    /** Terminates a server for good: it stays in the inventory as TERMINATED. */
    void retire(StepContext context, ServerView server) throws Exception {
        if (server.state() == ServerState.TERMINATED) {
            return;
        }
        providers.current().terminate(server);
        servers.terminated(server.id());
        actions.log(context.upgradeId(), context.deployment(), "terminate", server.name());
    }
}
