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

    /**
     * A migration applied to a deployment's database, as its schema history shows it.
     *
     * @param checksum the SHA-256 of its up script, in hex
     * @param state {@code applied}, or {@code running} while (or when interrupted while) it runs where the engine
     *     commits statements one by one
     */
    record Applied(String upgradeId, int position, String name, String checksum, String state, Instant appliedAt) {}

    /**
     * What a run did.
     *
     * @param ran migrations whose script ran now
     * @param lockTimeouts how many times a migration gave up waiting for a lock and was tried again
     */
    record Ran(int ran, int lockTimeouts) {}

    /** Applies, in order, the up script of each migration of this upgrade not applied yet. */
    Ran apply(String deployment, String upgradeId, List<Migration> migrations)
            throws StepFailedException, InterruptedException;

    /** Runs, newest first, the down script of each migration this upgrade applied. */
    Ran revert(String deployment, String upgradeId, List<Migration> migrations)
            throws StepFailedException, InterruptedException;

    /** The deployment's schema history, oldest first. */
    List<Applied> history(String deployment);
}
