package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Before migrations: a primary backup of the master database, waited on until 100%. It is kept after the upgrade,
 * whatever its outcome: it is what the operator reverts to if the migrations turn out wrong.
 */
@ApplicationScoped
public class BackupDatabaseStep implements StepHandler {

    private final Fleet fleet;
    private final Backups backups;

    public BackupDatabaseStep(Fleet fleet, Backups backups) {
        this.fleet = fleet;
        this.backups = backups;
    }

    @Override
    public StepName step() {
        return StepName.BACKUP_DATABASE;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerView master = fleet.deployment(context.deployment())
                .flatMap(d -> d.master())
                .orElseThrow(() -> new StepFailedException(
                        "deployment " + context.deployment() + " has no running master to back up"));
        String snapshotId = Servers.id(context.upgradeId(), "database-backup");
        backups.take(context, master, snapshotId);
        return StepResult.done(Map.of("databaseBackupId", snapshotId, "databaseBackupOf", master.name()));
    }
}
