package io.baton.db.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.ReplicaCaughtUp;
import io.baton.db.replication.ReplicationDriver.CatchUp;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** The new slave replicates and has applied everything the master had written: compared by exact position. */
@ApplicationScoped
public class AwaitCatchUpStep implements StepHandler {

    private final Drivers drivers;

    public AwaitCatchUpStep(Drivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public StepName step() {
        return StepName.AWAIT_CATCH_UP;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        CatchUp caughtUp = drivers.current(context)
                .awaitCatchUp(
                        context.deployment(),
                        Drivers.oldMaster(context),
                        Drivers.candidate(context),
                        drivers.catchUpTimeout(),
                        context.abortRequested());
        return StepResult.done(new ReplicaCaughtUp(caughtUp.applied(), caughtUp.target(), caughtUp.waitedMillis()));
    }
}
