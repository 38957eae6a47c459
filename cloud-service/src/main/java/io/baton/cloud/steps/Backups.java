package io.baton.cloud.steps;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.fleet.SnapshotEntity;
import io.baton.cloud.provider.CloudProvider;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import jakarta.enterprise.context.ApplicationScoped;

/** Primary backups, shared by the steps that take one: started once, then waited on until 100%. */
@ApplicationScoped
class Backups {

    private final Fleet fleet;
    private final Providers providers;

    Backups(Fleet fleet, Providers providers) {
        this.fleet = fleet;
        this.providers = providers;
    }

    /** Takes (or finds) the backup with this id of a server and returns when it is complete. */
    void take(StepContext context, ServerView server, String snapshotId) throws Exception {
        CloudProvider provider = providers.current();
        SnapshotEntity snapshot = fleet.snapshot(snapshotId);
        if (snapshot != null && snapshot.progress >= 100) {
            return;
        }
        fleet.createSnapshot(context.upgradeId(), snapshotId, context.deployment(), server.id());
        provider.startSnapshot(server, snapshotId);
        int progress;
        while ((progress = provider.snapshotProgress(snapshotId)) < 100) {
            fleet.snapshotProgress(snapshotId, progress);
            Thread.sleep(100);
        }
        fleet.snapshotProgress(snapshotId, 100);
    }
}
