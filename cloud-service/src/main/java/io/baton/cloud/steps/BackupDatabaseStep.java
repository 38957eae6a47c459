package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.DatabaseBackedUp;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Before migrations: a primary backup of the master database, waited on until 100%. It is kept after the upgrade,
 * whatever its outcome: it is what the operator reverts to if the migrations turn out wrong.
 */
@ApplicationScoped
public class BackupDatabaseStep implements StepHandler {

    private final Deployments deployments;
    private final Backups backups;

    public BackupDatabaseStep(Deployments deployments, Backups backups) {
        this.deployments = deployments;
        this.backups = backups;
    }

    @Override
    public StepName step() {
        return StepName.BACKUP_DATABASE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerView master = deployments
                .deployment(context.deployment())
                .flatMap(d -> d.master())
                .orElseThrow(() -> new StepFailedException(
                        "deployment " + context.deployment() + " has no running master to back up"));
        String snapshotId = ServerNames.id(context.upgradeId(), "database-backup");
        backups.take(context, master, snapshotId, true);
        return StepResult.done(new DatabaseBackedUp(snapshotId, master.name()));
    }
}
