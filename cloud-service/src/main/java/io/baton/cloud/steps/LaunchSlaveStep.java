package io.baton.cloud.steps;

import io.baton.cloud.fleet.Servers;
import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.facts.DatabaseFacts.SlaveLaunched;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Launch the new server as a slave of the running master ("init slave at boot") and wait until it is operational. */
@ApplicationScoped
public class LaunchSlaveStep implements StepHandler {

    private final Servers servers;
    private final Launcher launcher;

    public LaunchSlaveStep(Servers servers, Launcher launcher) {
        this.servers = servers;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.LAUNCH_SLAVE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerView master = servers.find(context.spec().database().topology().masterId())
                .orElseThrow(() -> new StepFailedException("the master is no longer in the inventory"));
        ServerView launched = launcher.launch(
                context, context.facts(SlaveCreated.class).candidateId(), new CloudProvider.Launch(master, null));
        return StepResult.done(new SlaveLaunched(launched.address()));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        launcher.terminate(context, ServerNames.id(context.upgradeId(), "candidate"));
        return None.INSTANCE;
    }
}
