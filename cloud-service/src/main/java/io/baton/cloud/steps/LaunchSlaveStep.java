package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.Facts;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Launch the new server as a slave of the running master ("init slave at boot") and wait until it is operational. */
@ApplicationScoped
public class LaunchSlaveStep implements StepHandler {

    private final Fleet fleet;
    private final Launcher launcher;

    public LaunchSlaveStep(Fleet fleet, Launcher launcher) {
        this.fleet = fleet;
        this.launcher = launcher;
    }

    @Override
    public StepName step() {
        return StepName.LAUNCH_SLAVE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerView master = fleet.server(context.spec().database().topology().masterId())
                .orElseThrow(() -> new StepFailedException("the master is no longer in the inventory"));
        ServerView launched =
                launcher.launch(context, context.fact(Facts.CANDIDATE_ID), new CloudProvider.Launch(master, null));
        return StepResult.done(Map.of(Facts.CANDIDATE_ADDRESS, launched.address()));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        launcher.terminate(context, context.fact(Facts.CANDIDATE_ID));
    }
}
