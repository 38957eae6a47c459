package io.baton.db.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.NewSlaveInSync;
import io.baton.db.replication.ReplicationDriver.CatchUp;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** The new slave, launched from the new master's backup, replicates from it and is in sync. */
@ApplicationScoped
public class AwaitNewSlaveSyncStep implements StepHandler {

    private final Drivers drivers;

    public AwaitNewSlaveSyncStep(Drivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public StepName step() {
        return StepName.AWAIT_NEW_SLAVE_SYNC;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        CatchUp inSync = drivers.current(context)
                .awaitCatchUp(
                        context.deployment(),
                        Drivers.candidate(context),
                        Drivers.replacement(context),
                        drivers.catchUpTimeout(),
                        context.abortRequested());
        return StepResult.done(new NewSlaveInSync(inSync.applied()));
    }
}
