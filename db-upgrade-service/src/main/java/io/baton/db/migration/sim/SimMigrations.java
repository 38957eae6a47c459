package io.baton.db.migration.sim;

import io.baton.contracts.Migration;
import io.baton.db.migration.MigrationDriver;
import io.baton.local.Migrations;
import io.baton.saga.Tx;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/**
 * Migrations on the simulated fleet: applying one records it in the deployment's schema history, reverting it
 * removes it, each in its own transaction as a migration tool would. The SQL itself runs on real servers only.
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.db.driver", stringValue = "sim")
public class SimMigrations implements MigrationDriver {

    private final Tx tx;

    public SimMigrations(Tx tx) {
        this.tx = tx;
    }

    @Override
    public Ran apply(String deployment, String upgradeId, List<Migration> migrations) {
        int ran = 0;
        for (int i = 0; i < migrations.size(); i++) {
            Migration m = migrations.get(i);
            int position = i;
            boolean applied = tx.run(s -> s.find(AppliedMigration.class, upgradeId + "/" + position)
                    .chain(existing -> {
                        if (existing != null) {
                            return Uni.createFrom().item(false);
                        }
                        AppliedMigration row = new AppliedMigration();
                        row.id = upgradeId + "/" + position;
                        row.deployment = deployment;
                        row.upgradeId = upgradeId;
                        row.position = position;
                        row.name = m.name() != null ? m.name() : "migration " + (position + 1);
                        row.up = m.up();
                        row.appliedAt = Instant.now();
                        return s.persist(row).replaceWith(true);
                    }));
            ran += applied ? 1 : 0;
        }
        return new Ran(ran, 0);
    }

    @Override
    public Ran revert(String deployment, String upgradeId, List<Migration> migrations) {
        int ran = 0;
        for (int i = migrations.size() - 1; i >= 0; i--) {
            int position = i;
            boolean reverted = tx.run(s -> s.find(AppliedMigration.class, upgradeId + "/" + position)
                    .chain(row -> row == null
                            ? Uni.createFrom().item(false)
                            : s.remove(row).replaceWith(true)));
            ran += reverted ? 1 : 0;
        }
        return new Ran(ran, 0);
    }

    @Override
    public List<Applied> history(String deployment) {
        return tx
                .run(s -> s.createSelectionQuery(
                                "from AppliedMigration where deployment = :d order by appliedAt, position",
                                AppliedMigration.class)
                        .setParameter("d", deployment)
                        .getResultList())
                .stream()
                .map(m ->
                        new Applied(m.upgradeId, m.position, m.name, Migrations.checksum(m.up), "applied", m.appliedAt))
                .toList();
    }
}
