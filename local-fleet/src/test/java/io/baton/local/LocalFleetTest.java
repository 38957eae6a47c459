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
        assumeSsh(engine);
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

    /**
     * The same on a fleet of separate machines: four addresses of one sshd, each a machine with its own directory for
     * Baton's servers, none under Baton's. Each server lands on its own machine and listens on its address; the
     * backup stays on the machine it was taken on and the server made from it gets a copy through Baton; nothing of
     * the servers is kept in Baton's directory, which holds only their records.
     */
    @ParameterizedTest
    @ValueSource(strings = {Engines.POSTGRESQL, Engines.MARIADB})
    void theSameAcrossSeparateMachines(String engine) throws Exception {
        assumeSsh(engine);
        List<String> addresses = List.of("127.0.41.1", "127.0.41.2", "127.0.41.3", "127.0.41.4");
        List<Machine> machines = new java.util.ArrayList<>();
        try (io.baton.infra.OpenSshServer sshd = io.baton.infra.OpenSshServer.start(addresses)) {
            for (String a : addresses) {
                Path home = RealServers.freshRoot("machine-" + a);
                machines.add(Machine.connect(
                        sshd.target(a) + "=" + home,
                        null,
                        sshd.clientKey(),
                        sshd.knownHosts(),
                        Duration.ofSeconds(10)));
            }
            LocalFleet.Settings defaults = LocalFleet.Settings.defaults();
            // the machines' own network besides loopback: the servers must take it (pg_hba, MariaDB's accounts)
            LocalFleet.Settings settings = new LocalFleet.Settings(
                    defaults.postgresBin(),
                    defaults.postgresUser(),
                    defaults.mariadbUser(),
                    null,
                    List.of(LocalFleet.LOOPBACK, "127.0.41.0/24"));
            LocalFleet onMachines =
                    new LocalFleet(RealServers.freshRoot("machines-" + engine), settings, LocalHost.INSTANCE, machines);
            shareEveryWrite(engine, onMachines);

            List<Instance> servers = fleet.all();
            assertThat(servers)
                    .extracting(Instance::host)
                    .doesNotHaveDuplicates()
                    .allMatch(addresses::contains);
            for (Instance i : servers) {
                Machine m = machines.stream()
                        .filter(x -> x.target().equals(i.machine()))
                        .findFirst()
                        .orElseThrow();
                assertThat(i.host()).isEqualTo(m.address());
                assertThat(i.home()).startsWith(m.root());
                assertThat(i.data()).as("%s's data, on its machine", i.name()).isDirectory();
            }
            LocalFleet.Backup backup = fleet.backup("b1");
            Instance slave = fleet.find("s").orElseThrow();
            assertThat(backup.host())
                    .as("the backup stays on the machine of the server it is of")
                    .isSameAs(fleet.hostOf(slave));
            assertThat(backup.dir().resolve(DatabaseServers.COMPLETE)).isRegularFile();
            try (Stream<Path> files = Files.walk(fleet.root())) {
                assertThat(files.filter(f -> f.getFileName()
                                .toString()
                                .matches("PG_VERSION|ibdata1|postgresql.conf|my.cnf|pgbouncer.ini|server.log")))
                        .as("server files in Baton's own directory")
                        .isEmpty();
            }
            assertThat(machines)
                    .as("machines that ran a command")
                    .filteredOn(m -> ((SshHost) m.host()).commands() > 0)
                    .hasSizeGreaterThanOrEqualTo(3);
            fleet.deleteBackup("b1");
            assertThat(backup.dir()).doesNotExist();
            fleet.stopAll();
        } finally {
            for (Machine m : machines) {
                m.host().close();
                Os.deleteTree(m.root());
            }
        }
    }

    /**
     * Placement on machines (this machine standing in for each, with a directory of its own): a server goes to the
     * first machine where its engine's port is free, a machine freed by a destroyed server takes the next one, a
     * fleet with every machine taken says so and makes nothing, and a server on a machine the configuration no longer
     * lists is refused rather than looked for here.
     */
    @org.junit.jupiter.api.Test
    void serversArePlacedOnTheFirstMachineWhereTheirPortIsFree() throws Exception {
        List<Machine> machines = new java.util.ArrayList<>();
        for (String a : List.of("127.0.43.1", "127.0.43.2")) {
            machines.add(new Machine("root@" + a + ":22", a, RealServers.freshRoot("placed-" + a), LocalHost.INSTANCE));
        }
        fleet = new LocalFleet(
                RealServers.freshRoot("placement"), LocalFleet.Settings.defaults(), LocalHost.INSTANCE, machines);
        try {
            fleet.prepare();
            Instance first = fleet.create("p1", "db-1", "shop", Engines.POSTGRESQL);
            Instance second = fleet.create("p2", "db-2", "shop", Engines.POSTGRESQL);
            Instance maria = fleet.create("m1", "db-1", "other", Engines.MARIADB);
            assertThat(List.of(first, second, maria))
                    .extracting(Instance::address)
                    .containsExactly("127.0.43.1:5432", "127.0.43.2:5432", "127.0.43.1:3306");
            assertThat(first.home())
                    .isEqualTo(machines.get(0).root().resolve("instances").resolve("p1"));
            assertThat(first.home()).isDirectory();
            assertThat(fleet.find("p1").orElseThrow()).isEqualTo(first);

            assertThatThrownBy(() -> fleet.create("p3", "db-3", "shop", Engines.POSTGRESQL))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("every machine of baton.local.machines has a server on port 5432")
                    .hasMessageContaining("add a machine");
            assertThat(fleet.find("p3")).as("a server that could not be placed").isEmpty();

            // a launch whose process died after it took its place, before the record: made again, the same place
            Files.delete(first.dir().resolve(Instance.FILE));
            assertThat(fleet.create("p1", "db-1", "shop", Engines.POSTGRESQL).address())
                    .isEqualTo("127.0.43.1:5432");

            fleet.destroy("p1");
            assertThat(first.home()).doesNotExist();
            assertThat(fleet.create("p3", "db-3", "shop", Engines.POSTGRESQL).address())
                    .isEqualTo("127.0.43.1:5432");

            LocalFleet without = new LocalFleet(fleet.root(), LocalFleet.Settings.defaults());
            assertThatThrownBy(() -> without.hostOf(second))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("root@127.0.43.2:22")
                    .hasMessageContaining("baton.local.machines does not list");
        } finally {
            for (Machine m : machines) {
                Os.deleteTree(m.root());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aMachineIsNamedByItsIpv4AddressWithAnAbsoluteDirectory() {
        Path key = Path.of("/nonexistent/key");
        for (String bad : List.of("root@db-1.example.com:22", "root@10.0.0.5=relative/dir", "root@10.0.0.5=/")) {
            assertThatThrownBy(() -> Machine.connect(bad, Path.of("/var/lib/baton"), key, key, Duration.ofSeconds(1)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void assumeSsh(String engine) {
        RealServers.assumeInstalled(engine);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.baton.infra.OpenSshServer.available(), io.baton.infra.OpenSshServer.MISSING);
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

        servers.backup(slave, fleet.backupOf(slave, "b1").dir());
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
        assertThat(fleet.hostOf(third).exists(third.home())).isFalse();
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
        List<Path> roots = new java.util.ArrayList<>(List.of(fleet.root()));
        fleet.machines().forEach(m -> roots.add(m.root()));
        try (Stream<Path> files = roots.stream().flatMap(LocalFleetTest::walk)) {
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

    private static Stream<Path> walk(Path root) {
        try {
            return Files.walk(root);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
