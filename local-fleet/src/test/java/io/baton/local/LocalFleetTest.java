package io.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
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
        shareEveryWrite(engine, new LocalFleet(RealServers.freshRoot(engine), LocalFleet.Settings.defaults()));
    }

    /** The same with every operation on the servers' host made over SSH, to an OpenSSH server on loopback. */
    @ParameterizedTest
    @ValueSource(strings = {Engines.POSTGRESQL, Engines.MARIADB})
    void theSameOverSsh(String engine) throws Exception {
        RealServers.assumeInstalled(engine);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.baton.infra.OpenSshServer.available(), io.baton.infra.OpenSshServer.MISSING);
        try (io.baton.infra.OpenSshServer sshd = io.baton.infra.OpenSshServer.start();
                SshHost host = new SshHost(SshHost.Target.parse(
                        sshd.target(), sshd.clientKey(), sshd.knownHosts(), Duration.ofSeconds(10)))) {
            shareEveryWrite(
                    engine,
                    new LocalFleet(RealServers.freshRoot("ssh-" + engine), LocalFleet.Settings.defaults(), host));
            assertThat(host.commands()).as("operations made over SSH").isGreaterThan(20);
            fleet.stopAll();
        }
    }

    private void shareEveryWrite(String engine, LocalFleet local) throws Exception {
        fleet = local;
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
        passwordsAreTheDeploymentsAlone(engine, master, slave, path);

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
            assertThat(Sql.one(master, "SELECT count(*) FROM pg_replication_slots"))
                    .as("the destroyed replica's slot is dropped")
                    .isEqualTo("1");
        }
    }

    private Connection app(String engine, String address) throws Exception {
        return connect(engine, address, fleet.secrets().of("shop", engine).app());
    }

    /**
     * Each server, and the write path, takes the deployment's passwords and no other; they are kept where only this
     * user can read them, and no server's log holds them.
     */
    private void passwordsAreTheDeploymentsAlone(String engine, Instance master, Instance slave, WritePath path)
            throws Exception {
        Secrets.Credentials credentials = fleet.secrets().of("shop", engine);
        Secrets.Login app = credentials.app();
        Secrets.Login admin = credentials.admin();
        for (String address : List.of(master.address(), slave.address(), path.address())) {
            for (Secrets.Login wrong : List.of(
                    new Secrets.Login(engine, app.user(), "app"),
                    new Secrets.Login(engine, app.user(), ""),
                    new Secrets.Login(engine, admin.user(), ""),
                    new Secrets.Login(engine, admin.user(), app.password()))) {
                assertThatThrownBy(() -> connect(engine, address, wrong).close())
                        .as("%s at %s with a wrong password", wrong, address)
                        .isInstanceOf(SQLException.class);
            }
            try (Connection c = connect(engine, address, app)) {
                assertThat(Sql.one(c, "SELECT 1")).isEqualTo("1");
            }
        }
        assertThat(Sql.one(master, "SELECT 1")).as("the administrator's login").isEqualTo("1");
        if (path.pooled()) {
            assertThatThrownBy(() -> AdminConsole.open(path.host(), path.port(), app.password()))
                    .as("PgBouncer's console with another password")
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("refused the console's login");
        }

        Path secrets = fleet.root().resolve("secrets");
        assertThat(Files.getPosixFilePermissions(secrets)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(secrets.resolve("shop.properties")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> files = Files.walk(fleet.root())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                boolean holdsPasswords = file.startsWith(secrets)
                        || Set.of("pgpass", "db-password").contains(name);
                if (holdsPasswords) {
                    assertThat(Files.getPosixFilePermissions(file))
                            .as(file.toString())
                            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
                } else if (name.endsWith(".log")
                        || name.endsWith(".cnf")
                        || name.endsWith(".ini")
                        || name.endsWith(".conf")
                        || name.equals("users.txt")) {
                    String text = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertThat(text)
                            .as("%s holds no password", file)
                            .doesNotContain(app.password())
                            .doesNotContain(admin.password());
                }
            }
        }
    }

    static Connection connect(String engine, String address, Secrets.Login login) throws Exception {
        return Engines.MARIADB.equals(engine)
                ? DriverManager.getConnection(
                        "jdbc:mariadb://" + address + "/shop?connectTimeout=3000", login.user(), login.password())
                : DriverManager.getConnection(
                        "jdbc:postgresql://" + address + "/shop?prepareThreshold=0&connectTimeout=3",
                        login.user(),
                        login.password());
    }

    private void write(String engine, String address, int id) throws Exception {
        try (Connection c = app(engine, address)) {
            Sql.exec(
                    c,
                    "CREATE TABLE IF NOT EXISTS writes (id int PRIMARY KEY)",
                    "INSERT INTO writes VALUES (" + id + ")");
        }
    }

    private int awaitCount(String engine, String address, int expected) throws Exception {
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
    private int count(String engine, String address) throws Exception {
        try (Connection c = app(engine, address)) {
            return Integer.parseInt(Sql.one(c, "SELECT count(*) FROM writes"));
        } catch (java.sql.SQLException notYet) {
            return 0;
        }
    }
}
