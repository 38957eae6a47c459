package io.baton.cloud.steps;

import io.baton.cloud.fleet.SnapshotEntity;
import io.baton.cloud.fleet.Snapshots;
import io.baton.cloud.provider.CloudProvider;
import io.baton.cloud.provider.Providers;
import io.baton.common.Wait;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Primary backups, shared by the steps that take one: started once, then waited on until 100%. */
@ApplicationScoped
class Backups {

    private final Snapshots snapshots;
    private final Providers providers;
    private final Duration timeout;

    Backups(
            Snapshots snapshots,
            Providers providers,
            @ConfigProperty(name = "baton.cloud.backup-timeout", defaultValue = "PT6H") Duration timeout) {
        this.snapshots = snapshots;
        this.providers = providers;
        this.timeout = timeout;
    }

    /**
     * Takes (or finds) the backup with this id of a server and returns when it is complete; {@code kept}: it stays
     * whatever the upgrade's outcome.
     */
    void take(StepContext context, ServerView server, String snapshotId, boolean kept) throws Exception {
        CloudProvider provider = providers.current();
        SnapshotEntity snapshot = snapshots.find(snapshotId);
        if (snapshot != null && snapshot.progress >= 100) {
            return;
        }
        snapshots.create(context.upgradeId(), snapshotId, context.deployment(), server.id());
        provider.startSnapshot(server, snapshotId, context.upgradeId(), kept);
        try {
            Wait.forThe("the backup of " + server.name() + " to reach 100%", timeout)
                    .every(Duration.ofMillis(100))
                    .until(() -> {
                        int progress = provider.snapshotProgress(snapshotId);
                        snapshots.progress(snapshotId, Math.min(progress, 100));
                        return progress >= 100;
                    });
        } catch (Wait.TimedOut e) {
            throw new StepFailedException(e.getMessage() + " (baton.cloud.backup-timeout)");
        }
    }

    /** Deletes the backup, from the cloud and the inventory, if it was taken. */
    void delete(StepContext context, String snapshotId) throws Exception {
        if (snapshots.find(snapshotId) != null) {
            providers.current().deleteSnapshot(snapshotId);
            snapshots.delete(context.upgradeId(), snapshotId);
        }
    }
}
