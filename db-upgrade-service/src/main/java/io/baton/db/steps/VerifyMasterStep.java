package io.baton.db.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.MasterVerified;
import io.baton.db.replication.ReplicationDriver.MasterCheck;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** The new master takes writes and lists its databases ("psql --list" / "show databases" in the runbook). */
@ApplicationScoped
public class VerifyMasterStep implements StepHandler {

    private final Drivers drivers;

    public VerifyMasterStep(Drivers drivers) {
        this.drivers = drivers;
    }

    @Override
    public StepName step() {
        return StepName.VERIFY_MASTER;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        MasterCheck check = drivers.current(context).verifyMaster(context.deployment(), Drivers.candidate(context));
        return StepResult.done(new MasterVerified(check.databases()));
    }
}
