package io.baton.cloud.fleet;

import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Primary backups of database servers, with their progress. */
@ApplicationScoped
public class Snapshots {

    private final Tx tx;

    public Snapshots(Tx tx) {
        this.tx = tx;
    }

    public SnapshotEntity find(String id) {
        return tx.run(s -> s.find(SnapshotEntity.class, id));
    }

    /** Records a backup unless one with this id exists, which is returned as it is. */
    public SnapshotEntity create(String upgradeId, String id, String deployment, String serverId) {
        return tx.run(s -> s.find(SnapshotEntity.class, id).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            SnapshotEntity snapshot = new SnapshotEntity();
            snapshot.id = id;
            snapshot.deployment = deployment;
            snapshot.serverId = serverId;
            snapshot.createdBy = upgradeId;
            snapshot.createdAt = Instant.now();
            return s.persist(snapshot)
                    .chain(() -> s.persist(ActionEntity.of(upgradeId, deployment, "snapshot", id)))
                    .replaceWith(snapshot);
        }));
    }

    public void progress(String id, int progress) {
        tx.run(s -> s.find(SnapshotEntity.class, id).invoke(snapshot -> {
            snapshot.progress = progress;
            if (progress >= 100 && snapshot.completedAt == null) {
                snapshot.completedAt = Instant.now();
            }
        }));
    }

    public boolean delete(String upgradeId, String id) {
        return tx.run(s -> s.find(SnapshotEntity.class, id).chain(snapshot -> {
            if (snapshot == null) {
                return Uni.createFrom().item(false);
            }
            // A delete statement rather than s.remove: with a removed entity in the session, the IDENTITY insert of
            // the action log (in this transaction, or the next in one session) sometimes never completed and left the
            // transaction open, holding a pool connection, forever (Hibernate Reactive; see RemoveAndLogTest).
            return s.persist(ActionEntity.of(upgradeId, snapshot.deployment, "delete-snapshot", id))
                    .chain(() -> s.createMutationQuery("delete from SnapshotEntity where id = :id")
                            .setParameter("id", id)
                            .executeUpdate())
                    .replaceWith(true);
        }));
    }

    public List<SnapshotEntity> of(String deployment) {
        return tx.run(s -> s.createSelectionQuery(
                        "from SnapshotEntity where deployment = :d order by createdAt", SnapshotEntity.class)
                .setParameter("d", deployment)
                .getResultList());
    }
}
