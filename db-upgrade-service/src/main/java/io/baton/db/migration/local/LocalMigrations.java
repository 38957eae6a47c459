package io.baton.db.migration.local;

import io.baton.contracts.Migration;
import io.baton.db.migration.MigrationDriver;
import io.baton.local.LocalFleet;
import io.baton.local.Migrations;
import io.baton.local.WritePath;
import io.baton.saga.StepFailedException;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Migrations run for real on the master of a deployment of the local cloud, through its write path, with the schema
 * history in the application's database ({@link Migrations}).
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.db.driver", stringValue = "local")
public class LocalMigrations implements MigrationDriver {

    private final LocalFleet fleet;
    private final Migrations.Settings settings;

    public LocalMigrations(
            LocalFleet fleet,
            @ConfigProperty(name = "baton.db.migration.lock-timeout") Duration lockTimeout,
            @ConfigProperty(name = "baton.db.migration.lock-attempts") int attempts,
            @ConfigProperty(name = "baton.db.migration.lock-pause") Duration pause) {
        this.fleet = fleet;
        this.settings = new Migrations.Settings(lockTimeout, attempts, pause);
    }

    @Override
    public Ran apply(String deployment, String upgradeId, List<Migration> migrations)
            throws StepFailedException, InterruptedException {
        return run(deployment, m -> m.apply(upgradeId, scripts(migrations)));
    }

    @Override
    public Ran revert(String deployment, String upgradeId, List<Migration> migrations)
            throws StepFailedException, InterruptedException {
        return run(deployment, m -> m.revert(upgradeId, scripts(migrations)));
    }

    private interface Run {
        Migrations.Outcome on(Migrations migrations) throws Migrations.Failed, InterruptedException;
    }

    private Ran run(String deployment, Run run) throws StepFailedException, InterruptedException {
        try {
            Migrations.Outcome o = run.on(on(deployment));
            return new Ran(o.ran(), o.lockTimeouts());
        } catch (Migrations.Failed e) {
            throw new StepFailedException(e.getMessage());
        }
    }

    @Override
    public List<Applied> history(String deployment) {
        try {
            return on(deployment).history().stream()
                    .map(a ->
                            new Applied(a.upgradeId(), a.position(), a.name(), a.checksum(), a.state(), a.appliedAt()))
                    .toList();
        } catch (StepFailedException e) {
            return List.of();
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "the schema history of " + deployment + " cannot be read from its master: " + e.getMessage(), e);
        }
    }

    private Migrations on(String deployment) throws StepFailedException {
        WritePath path = fleet.writePath(deployment)
                .orElseThrow(() -> new StepFailedException("deployment " + deployment + " has no write path in the"
                        + " local cloud at " + fleet.root() + ": migrations run on its master through it"));
        return new Migrations(path, settings);
    }

    private static List<Migrations.Script> scripts(List<Migration> migrations) {
        return migrations.stream()
                .map(m -> new Migrations.Script(m.name(), m.up(), m.down()))
                .toList();
    }
}
