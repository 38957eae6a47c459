package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.CloudProvider;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Clone a running application server, apply the system-level changes, launch it with the deployment's (new)
 * inputs and test it; repeat until there are as many new servers as old ones. Undo: terminate the new ones.
 */
@ApplicationScoped
public class LaunchAppServersStep implements StepHandler {

    private final Fleet fleet;
    private final Providers providers;
    private final Launcher launcher;

    public LaunchAppServersStep(Fleet fleet, Providers providers, Launcher launcher) {
        this.fleet = fleet;
        this.providers = providers;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.LAUNCH_APP_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        DeploymentView deployment = fleet.deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        List<ServerView> old = oldServers(deployment, context.upgradeId());
        if (old.isEmpty()) {
            throw new StepFailedException(
                    "deployment " + context.deployment() + " has no running application server to clone");
        }
        ServerView model = old.get(0);
        ServerConfig change = context.spec().application().serverChange();
        ServerConfig config = change == null ? model.config() : model.config().apply(change);
        Map<String, String> inputs = new LinkedHashMap<>(model.inputs());
        inputs.putAll(deployment.inputs());
        List<ServerView> launched = new ArrayList<>();
        for (int i = 0; i < old.size(); i++) {
            String id = Servers.id(context.upgradeId(), "app-" + i);
            if (fleet.server(id).isEmpty()) {
                DeploymentView now = fleet.deployment(context.deployment()).orElseThrow();
                fleet.createServer(
                        context.upgradeId(),
                        id,
                        context.deployment(),
                        Servers.nextName(now, model),
                        Role.APP,
                        config,
                        Json.write(inputs),
                        Json.write(model.alerts()),
                        null);
            }
            ServerView server = launcher.launch(context, id, new CloudProvider.Launch(null, null));
            List<String> failed = providers.current().test(server);
            if (!failed.isEmpty()) {
                throw new StepFailedException(server.name() + " failed its tests: " + String.join("; ", failed));
            }
            launched.add(server);
        }
        return StepResult.done(Map.of("oldServers", names(old), "newServers", names(launched)));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        DeploymentView deployment = fleet.deployment(context.deployment()).orElseThrow();
        int count = (int) deployment.servers().stream()
                .filter(s -> s.role() == Role.APP && context.upgradeId().equals(s.createdBy()))
                .count();
        for (int i = 0;
                i < Math.max(count, oldServers(deployment, context.upgradeId()).size());
                i++) {
            String id = Servers.id(context.upgradeId(), "app-" + i);
            launcher.terminate(context, id);
            fleet.delete(context.upgradeId(), id);
        }
    }

    /** The application servers running before this upgrade: those it did not create. */
    static List<ServerView> oldServers(DeploymentView deployment, String upgradeId) {
        return deployment.running(Role.APP).stream()
                .filter(s -> !upgradeId.equals(s.createdBy()))
                .toList();
    }

    static String names(List<ServerView> servers) {
        return servers.stream().map(s -> s.name() + "=" + s.address()).collect(Collectors.joining(","));
    }
}
