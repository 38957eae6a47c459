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
    private final Providers providers;
    private final ActionLog actions;
    private final Duration operationalTimeout;

    Launcher(
            Servers servers,
            Providers providers,
            ActionLog actions,
            @ConfigProperty(name = "baton.cloud.operational-timeout", defaultValue = "PT10M")
                    Duration operationalTimeout) {
        this.servers = servers;
        this.providers = providers;
        this.actions = actions;
        this.operationalTimeout = operationalTimeout;
    }

    /** Launches the server unless that already happened, then waits until it is operational. */
    ServerView launch(StepContext context, String serverId, CloudProvider.Launch how) throws Exception {
        CloudProvider provider = providers.current();
        ServerView server = servers.launching(serverId)
                .orElseThrow(() -> new StepFailedException("server " + serverId + " is not in the inventory"));
        if (server.state() == ServerState.OPERATIONAL) {
            return server;
        }
        if (server.address() == null) {
            String address = provider.launch(context.deployment(), server, how);
            server = servers.placed(context.upgradeId(), serverId, address);
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
        servers.unlaunched(context.upgradeId(), serverId);
    }

    /**
     * In the undo of an upgrade's earliest launch, when everything after it is undone: removes whatever the cloud
     * still holds labelled with the upgrade (an instance launched just before a crash that the inventory never
     * heard of, say), and logs each.
     */
    void sweep(StepContext context) throws Exception {
        for (String removed : providers.current().sweep(context.deployment(), context.upgradeId())) {
            actions.log(context.upgradeId(), context.deployment(), "sweep", removed);
        }
    }

    /** Terminates a server for good: it stays in the inventory as TERMINATED. */
    void retire(StepContext context, ServerView server) throws Exception {
        if (server.state() == ServerState.TERMINATED) {
            return;
        }
        providers.current().terminate(server);
        servers.terminated(context.upgradeId(), server.id());
    }
}
