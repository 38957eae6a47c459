package io.baton.saga;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The upgrades the operator aborted, as this service learnt them. The saga row is the truth, read under lock when a
 * step's outcome is recorded; this set is its copy in memory, for long waits that look many times a second.
 */
@ApplicationScoped
public class AbortSignals {

    private final Set<String> aborted = ConcurrentHashMap.newKeySet();
    private final Tx tx;

    public AbortSignals(Tx tx) {
        this.tx = tx;
    }

    /** Loads the aborted upgrades from the database: at start, before any step resumes. */
    void load() {
        aborted.addAll(tx.run(
                s -> s.createSelectionQuery("select upgradeId from SagaRecord where aborted = true", String.class)
                        .getResultList()));
    }

    public boolean isAborted(String upgradeId) {
        return aborted.contains(upgradeId);
    }

    void learnt(Collection<String> upgradeIds) {
        aborted.addAll(upgradeIds);
    }

    /**
     * Records, in the caller's transaction, that the operator aborted an upgrade: from then on this service starts no
     * step of it and turns around after the one it runs.
     */
    public Uni<SagaRecord> markAborted(Mutiny.Session s, String upgradeId, String deployment) {
        return s.find(SagaRecord.class, upgradeId, LockModeType.PESSIMISTIC_WRITE)
                .chain(found -> {
                    SagaRecord saga = found != null ? found : new SagaRecord(upgradeId, deployment, Instant.now());
                    saga.aborted = true;
                    saga.updatedAt = Instant.now();
                    return (found != null ? Uni.createFrom().voidItem() : s.persist(saga)).replaceWith(saga);
                })
                .invoke(() -> aborted.add(upgradeId));
    }

    /** Whether the upgrade is aborted, read under the saga row's lock in the caller's transaction. */
    Uni<Boolean> lockAndRead(Mutiny.Session s, String upgradeId) {
        return s.find(SagaRecord.class, upgradeId, LockModeType.PESSIMISTIC_WRITE)
                .map(saga -> saga != null && saga.aborted);
    }
}
