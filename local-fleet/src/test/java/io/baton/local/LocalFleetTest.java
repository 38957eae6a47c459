package io.baton.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Wait;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalFleetTest {

    private LocalFleet fleet;

    @AfterEach
    void stop() throws Exception {
        if (fleet != null) {
            fleet.stopAll();
            Os.deleteTree(fleet.root());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Engines.POSTGRESQL, Engines.MARIADB})
    void aPrimaryItsReplicaAndOneFromABackupShareEveryWrite(String engine) throws Exception {
        RealServers.assumeInstalled(engine);
        fleet = new LocalFleet(RealServers.freshRoot(engine), LocalFleet.Settings.defaults());
        fleet.prepare();
        DatabaseServers servers = fleet.servers(engine);

        Instance master = fleet.create("m", "db-1", "shop", engine);
        servers.initPrimary(master);
        servers.createApplicationDatabase(master, "shop");
        WritePath path = fleet.createWritePath("shop", master, "shop");
        write(engine, path.address(), 1);
        if (path.pooled()) {
            path.pgbouncer().pause();
            path.pointAt(master.address());
            path.pgbouncer().resume();
        }

        Instance slave = servers.initReplica(fleet.create("s", "db-2", "shop", engine), master, master);
        assertThat(slave.upstream()).isEqualTo(master.address());
        write(engine, path.address(), 2);

        servers.backup(slave, fleet.backup("b1"));
        Instance third = servers.restoreReplica(fleet.create("t", "db-3", "shop", engine), fleet.backup("b1"), master);
        write(engine, path.address(), 3);

        for (Instance replica : new Instance[] {slave, third}) {
            assertThat(awaitCount(engine, replica.address(), 3))
                    .as(replica.name())
                    .isEqualTo(3);
        }
        assertThat(master.host()).isNotEqualTo(slave.host()).startsWith("127.0.");

        if (Engines.POSTGRESQL.equals(engine)) {
            PostgresServers pg = (PostgresServers) servers;
            assertThat(pg.controlData(master)).isEqualTo(pg.controlDataOfTool(master));
            pg.stop(slave);
            assertThat(pg.controlData(slave))
                    .isEqualTo(pg.controlDataOfTool(slave))
                    .extracting(PostgresServers.ControlData::state)
                    .isEqualTo("shut down in recovery");
        }

        fleet.destroy("t");
        assertThat(Files.exists(third.dir())).isFalse();
        if (Engines.POSTGRESQL.equals(engine)) {
            assertThat(Sql.one(engine, master.address(), "SELECT count(*) FROM pg_replication_slots"))
                    .as("the destroyed replica's slot is dropped")
                    .isEqualTo("1");
        }
    }

    static Connection app(String engine, String address) throws Exception {
        return Engines.MARIADB.equals(engine)
                ? DriverManager.getConnection("jdbc:mariadb://" + address + "/shop", "app", "app")
                : DriverManager.getConnection("jdbc:postgresql://" + address + "/shop?user=app&prepareThreshold=0");
    }

    private static void write(String engine, String address, int id) throws Exception {
        try (Connection c = app(engine, address)) {
            Sql.exec(
                    c,
                    "CREATE TABLE IF NOT EXISTS writes (id int PRIMARY KEY)",
                    "INSERT INTO writes VALUES (" + id + ")");
        }
    }

    private static int awaitCount(String engine, String address, int expected) throws Exception {
        try {
            return Wait.forThe(address + " to hold " + expected + " rows", Duration.ofSeconds(10))
                    .every(Duration.ofMillis(50))
                    .untilValue(() -> {
                        int n = count(engine, address);
                        return n == expected ? n : null;
                    });
        } catch (Wait.Unfinished e) {
            return count(engine, address);
        }
    }

    /** The rows written so far, 0 while the server does not answer. */
    private static int count(String engine, String address) throws Exception {
        try (Connection c = app(engine, address)) {
            return Integer.parseInt(Sql.one(c, "SELECT count(*) FROM writes"));
        } catch (java.sql.SQLException notYet) {
            return 0;
        }
    }
}
