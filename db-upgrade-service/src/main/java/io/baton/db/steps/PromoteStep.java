package io.baton.db.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.MasterPromoted;
import io.baton.contracts.facts.DatabaseFacts.SwitchedBack;
import io.baton.contracts.facts.StepFacts;
import io.baton.db.replication.ReplicationDriver.Switchover;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Promote the new slave behind a write fence and point the write path at it; the old master becomes its replica.
 * Undo: the same switchover the other way round.
 */
@ApplicationScoped
public class PromoteStep implements StepHandler {

    private final Drivers drivers;

    public PromoteStep(Drivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public StepName step() {
        return StepName.PROMOTE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        Switchover proof = drivers.current(context)
                .switchover(
                        context.deployment(),
                        Drivers.oldMaster(context),
                        Drivers.candidate(context),
                        drivers.fenceTimeout());
        return StepResult.done(new MasterPromoted(
                proof.oldMasterFinalPosition(), proof.newMasterAppliedPosition(), proof.fenceMillis()));
    }

    /** Switches back the same way, and leaves the proof of that switchover in the slip too. */
    @Override
    public StepFacts undo(StepContext context) throws Exception {
        Switchover proof = drivers.current(context)
                .switchover(
                        context.deployment(),
                        Drivers.candidate(context),
                        Drivers.oldMaster(context),
                        drivers.fenceTimeout());
        return new SwitchedBack(proof.oldMasterFinalPosition(), proof.newMasterAppliedPosition(), proof.fenceMillis());
    }
}
