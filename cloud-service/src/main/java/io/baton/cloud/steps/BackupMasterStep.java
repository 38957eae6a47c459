package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.Facts;
import io.baton.contracts.StepName;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** A primary backup of the new master, waited on until 100%: the new slave is launched from it. */
@ApplicationScoped
public class BackupMasterStep implements StepHandler {

    private final Fleet fleet;
    private final Providers providers;
    private final Backups backups;

    public BackupMasterStep(Fleet fleet, Providers providers, Backups backups) {
        this.fleet = fleet;
        this.providers = providers;
        this.backups = backups;
    }

    @Override
    public StepName step() {
        return StepName.BACKUP_MASTER;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerView master = fleet.server(context.fact(Facts.CANDIDATE_ID))
                .orElseThrow(() -> new StepFailedException("the new master is no longer in the inventory"));
        String snapshotId = Servers.id(context.upgradeId(), "backup");
        backups.take(context, master, snapshotId);
        return StepResult.done(Map.of(Facts.SNAPSHOT_ID, snapshotId));
    }

    @Override
    public void compensate(StepContext context) throws Exception {
        String snapshotId = Servers.id(context.upgradeId(), "backup");
        if (fleet.snapshot(snapshotId) != null) {
            providers.current().deleteSnapshot(snapshotId);
            fleet.deleteSnapshot(context.upgradeId(), snapshotId);
        }
    }
}
