package io.baton.cloud.steps;

import io.baton.cloud.fleet.Servers;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.MasterBackedUp;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** A primary backup of the new master, waited on until 100%: the new slave is launched from it. */
@ApplicationScoped
public class BackupMasterStep implements StepHandler {

    private final Servers servers;
    private final Backups backups;

    public BackupMasterStep(Servers servers, Backups backups) {
        this.servers = servers;
        this.backups = backups;
    }

    @Override
    public StepName step() {
        return StepName.BACKUP_MASTER;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        ServerView master = servers.find(context.facts(SlaveCreated.class).candidateId())
                .orElseThrow(() -> new StepFailedException("the new master is no longer in the inventory"));
        String snapshotId = ServerNames.id(context.upgradeId(), "backup");
        backups.take(context, master, snapshotId, false);
        return StepResult.done(new MasterBackedUp(snapshotId));
    }

    @Override
    public StepFacts undo(StepContext context) throws Exception {
        backups.delete(context, ServerNames.id(context.upgradeId(), "backup"));
        return None.INSTANCE;
    }
}
