package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.fleet.Servers;
import io.baton.cloud.provider.CloudProvider;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.ServerRef;
import io.baton.contracts.facts.StepFacts;
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

/**
 * Clone a running application server, apply the system-level changes, launch it with the deployment's (new)
 * inputs and test it; repeat until there are as many new servers as old ones. Undo: terminate the new ones.
 */
@ApplicationScoped
public class LaunchAppServersStep implements StepHandler {

    private final Deployments deployments;
    private final Servers servers;
    private final Providers providers;
    private final Launcher launcher;

    public LaunchAppServersStep(Deployments deployments, Servers servers, Providers providers, Launcher launcher) {
        this.deployments = deployments;
        this.servers = servers;
        this.providers = providers;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.LAUNCH_APP_SERVERS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        DeploymentView deployment = deployment(context);
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
            String id = ServerNames.id(context.upgradeId(), "app-" + i);
            if (servers.find(id).isEmpty()) {
                servers.create(
                        context.upgradeId(),
                        new Servers.NewServer(
                                id,
                                context.deployment(),
                                ServerNames.nextName(deployment(context), model),
                                Role.APP,
                                config,
                                Json.write(inputs),
                                Json.write(model.alerts()),
                                null));
            }
            ServerView server = launcher.launch(context, id, new CloudProvider.Launch(null, null));
            List<String> failed = providers.current().test(server);
            if (!failed.isEmpty()) {
                throw new StepFailedException(server.name() + " failed its tests: " + String.join("; ", failed));
            }
            launched.add(server);
        }
        return StepResult.done(new AppServersLaunched(refs(old), refs(launched)));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        DeploymentView deployment = deployment(context);
        int count = (int) deployment.servers().stream()
                .filter(s -> s.role() == Role.APP && context.upgradeId().equals(s.createdBy()))
                .count();
        for (int i = 0;
                i < Math.max(count, oldServers(deployment, context.upgradeId()).size());
                i++) {
            String id = ServerNames.id(context.upgradeId(), "app-" + i);
            launcher.terminate(context, id);
            servers.delete(context.upgradeId(), id);
        }
        launcher.sweep(context);
        return None.INSTANCE;
    }

    private DeploymentView deployment(StepContext context) throws StepFailedException {
        return deployments
                .deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
    }

    /** The application servers running before this upgrade: those it did not create. */
    static List<ServerView> oldServers(DeploymentView deployment, String upgradeId) {
        return deployment.running(Role.APP).stream()
                .filter(s -> !upgradeId.equals(s.createdBy()))
                .toList();
    }

    private static List<ServerRef> refs(List<ServerView> servers) {
        return servers.stream().map(s -> new ServerRef(s.name(), s.address())).toList();
    }
}
