package io.baton.db.steps;

import io.baton.contracts.Migration;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.MigrationsApplied;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.db.migration.MigrationDriver;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;

/** The pre-upgrade migrations, additive only (the planner refused the others). Undo: their down scripts. */
@ApplicationScoped
public class RunMigrationsStep implements StepHandler {

    private final Instance<MigrationDriver> drivers;

    public RunMigrationsStep(Instance<MigrationDriver> drivers) {
        this.drivers = drivers;
    }

    @Override
    public StepName step() {
        return StepName.RUN_MIGRATIONS;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        List<Migration> migrations = context.spec().application().migrations();
        MigrationDriver.Ran ran = drivers.get().apply(context.deployment(), context.upgradeId(), migrations);
        return StepResult.done(new MigrationsApplied(migrations.size(), ran.ran(), ran.lockTimeouts()));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        drivers.get()
                .revert(
                        context.deployment(),
                        context.upgradeId(),
                        context.spec().application().migrations());
        return None.INSTANCE;
    }
}
