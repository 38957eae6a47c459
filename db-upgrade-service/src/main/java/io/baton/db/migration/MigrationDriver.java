package io.baton.db.migration;

import io.baton.contracts.Migration;
import io.baton.saga.StepFailedException;
import java.time.Instant;
import java.util.List;

/**
 * Runs an upgrade's migrations on a deployment's master. Both directions are safe to call again after a crash: a
 * migration already applied (or already reverted) for that upgrade is not run twice.
 */
public interface MigrationDriver {

    /** A migration applied to a deployment's database, as its schema history shows it. */
    record Applied(String upgradeId, int position, String name, String up, Instant appliedAt) {}

    /** Applies, in order, the up script of each migration of this upgrade not applied yet; returns how many ran. */
    int apply(String deployment, String upgradeId, List<Migration> migrations) throws StepFailedException;

    /** Runs, newest first, the down script of each migration this upgrade applied; returns how many ran. */
    int revert(String deployment, String upgradeId, List<Migration> migrations) throws StepFailedException;

    /** The deployment's schema history, oldest first. */
    List<Applied> history(String deployment);
}
