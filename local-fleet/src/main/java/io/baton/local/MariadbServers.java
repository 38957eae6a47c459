package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** MariaDB 10.11 servers: GTID replication, replicas made with mariadb-backup. */
public final class MariadbServers implements DatabaseServers {

    /** The login applications use: without privileges, so read_only holds it. */
    public static final String APP_USER = "app";

    /** MariaDB's answer to a login with a wrong password (ER_ACCESS_DENIED_ERROR). */
    private static final int ACCESS_DENIED = 1045;

    private final LocalFleet fleet;
    private final String user;

    MariadbServers(LocalFleet fleet) {
        this.fleet = fleet;
        this.user = fleet.settings().mariadbUser();
    }

    @Override
    public void initPrimary(Instance server) throws IOException, SQLException {
        if (!host(server).exists(server.data().resolve("mysql"))) {
            host(server).deleteTree(server.data());
            writeConfig(server);
            host(server).chown(server.home(), user);
            host(server)
                    .run(
                            null,
                            180,
                            "mariadb-install-db",
                            "--defaults-file=" + config(server),
                            "--user=" + user,
                            "--auth-root-authentication-method=normal",
                            "--skip-test-db");
        }
        start(server);
        secure(server);
        openToClientNetworks(server);
    }

    /**
     * The account host names of the client networks other than loopback ({@code 10.0.0.0/255.255.0.0}): on a fleet
     * of machines, the other servers, the application servers and Baton log in from there.
     */
    private List<String> networkHosts() {
        List<String> hosts = new java.util.ArrayList<>();
        for (String network : fleet.settings().clientNetworks()) {
            if (!LocalFleet.LOOPBACK.equals(network)) {
                String[] n = ConfigValues.network("client network", network);
                hosts.add(n[0] + "/" + n[1]);
            }
        }
        return hosts;
    }

    /** The administrator's account for each client network, with the deployment's password; made once, kept. */
    private void openToClientNetworks(Instance server) throws SQLException {
        List<String> hosts = networkHosts();
        if (hosts.isEmpty()) {
            return;
        }
        String hash = Sql.literal(Secrets.mariadbHash(Sql.login(server).password()));
        try (Connection c = Sql.admin(server)) {
            for (String h : hosts) {
                String root = "'root'@" + Sql.literal(h);
                Sql.exec(
                        c,
                        "CREATE USER IF NOT EXISTS " + root + " IDENTIFIED BY PASSWORD " + hash,
                        "GRANT ALL PRIVILEGES ON *.* TO " + root + " WITH GRANT OPTION");
            }
        }
    }

    /**
     * Gives every root account of a server made by mariadb-install-db (which leaves them without a password) the
     * deployment's administrator password. Done again after a restart that came between the two.
     */
    private static void secure(Instance server) throws SQLException {
        Secrets.Login root = Sql.login(server);
        try (Connection c = Sql.admin(server)) {
            return;
        } catch (SQLException e) {
            if (e.getErrorCode() != ACCESS_DENIED) {
                throw e;
            }
        }
        try (Connection c = Sql.connect(new Secrets.Login(Engines.MARIADB, "root", ""), server.address(), null)) {
            String hash = Sql.literal(Secrets.mariadbHash(root.password()));
            for (String host : Sql.column(c, "SELECT Host FROM mysql.user WHERE User = 'root'")) {
                // the loopback accounts keep root, with the password; one for the machine's name (which
                // skip-name-resolve never matches) goes
                Sql.exec(
                        c,
                        Set.of("localhost", "127.0.0.1", "::1").contains(host)
                                ? "ALTER USER 'root'@" + Sql.literal(host) + " IDENTIFIED BY PASSWORD " + hash
                                : "DROP USER IF EXISTS 'root'@" + Sql.literal(host));
            }
        } catch (SQLException e) {
            throw new SQLException(
                    server.name() + " refuses its deployment's root password and has another: its"
                            + " passwords file (secrets/" + server.deployment() + ".properties) was replaced or lost",
                    e);
        }
    }

    @Override
    public Instance initReplica(Instance server, Instance upstream, Instance source) throws IOException, SQLException {
        if (!host(server).exists(server.data().resolve("mysql"))) {
            // mariadb-backup copies the source's files, so it runs on the source's machine; the copy then comes here
            Host from = host(source);
            Path taken = from == host(server)
                    ? server.home().resolve("backup")
                    : source.home().resolve("clone-for-" + server.id());
            backup(source, taken);
            Path copy = fleet.bring(from, taken, server, "backup");
            restore(server, copy);
            host(server).deleteTree(copy);
            from.deleteTree(taken);
        }
        return startReplica(server, upstream);
    }

    @Override
    public Instance restoreReplica(Instance server, LocalFleet.Backup taken, Instance upstream)
            throws IOException, SQLException {
        if (!host(server).exists(server.data().resolve("mysql"))) {
            if (!taken.host().exists(taken.dir().resolve(COMPLETE))) {
                throw new IOException("the backup " + taken.id() + " is not complete; take it again");
            }
            Path backup = fleet.bring(taken.host(), taken.dir(), server, "backup");
            restore(server, backup);
            if (!backup.equals(taken.dir())) {
                host(server).deleteTree(backup);
            }
        }
        return startReplica(server, upstream);
    }

    @Override
    public void backup(Instance source, Path target) throws IOException {
        Host host = host(source);
        if (host.exists(target.resolve(COMPLETE))) {
            return;
        }
        host.deleteTree(target);
        host.mkdirs(target);
        Path data = target.resolve("data");
        // the password reaches mariadb-backup in an option file only this user can read, not on its command line
        Path client = source.home().resolve("backup-client.cnf");
        try {
            host.writeOwnerOnly(client, "[client]\nuser = root\npassword = " + password(source) + "\n");
            host.run(
                    null,
                    3600,
                    "mariadb-backup",
                    "--defaults-extra-file=" + client,
                    "--backup",
                    "--host=" + source.host(),
                    "--port=" + source.port(),
                    "--datadir=" + source.data(),
                    "--target-dir=" + data);
        } finally {
            host.delete(client);
        }
        host.run(null, 3600, "mariadb-backup", "--prepare", "--target-dir=" + data);
        host.write(target.resolve(COMPLETE), source.name() + "\n");
    }

    @Override
    public void createApplicationDatabase(Instance primary, String database) throws SQLException {
        String db = "`" + database.replace("`", "") + "`";
        // the account gets the password's hash: the statement never holds the password
        String hash = Sql.literal(Secrets.mariadbHash(Sql.credentials(primary).appPassword()));
        Sql.exec(primary, "CREATE DATABASE IF NOT EXISTS " + db);
        List<String> hosts = new java.util.ArrayList<>(List.of("127.%"));
        hosts.addAll(networkHosts());
        for (String h : hosts) {
            String app = "'" + APP_USER + "'@" + Sql.literal(h);
            Sql.exec(
                    primary,
                    "CREATE USER IF NOT EXISTS " + app + " IDENTIFIED BY PASSWORD " + hash,
                    "ALTER USER " + app + " IDENTIFIED BY PASSWORD " + hash,
                    "GRANT ALL PRIVILEGES ON " + db + ".* TO " + app);
        }
    }

    @Override
    public void start(Instance server) throws IOException {
        if (!running(server)) {
            host(server).spawn(server.log(), java.util.Map.of(), "mariadbd", "--defaults-file=" + config(server));
        }
        try {
            Os.await(
                    Wait.forThe(server.name() + " to accept connections", Duration.ofSeconds(90))
                            .every(Duration.ofMillis(100))
                            .ignoring(SQLException.class),
                    "see " + server.log(),
                    () -> {
                        try (Connection c = Sql.admin(server)) {
                            return true;
                        } catch (SQLException e) {
                            // it answers: a new server's root has no password until secure() gives it one
                            if (e.getErrorCode() == ACCESS_DENIED) {
                                return true;
                            }
                            throw e;
                        }
                    });
        } catch (SQLException ignoredAbove) {
            throw new IOException(ignoredAbove);
        }
    }

    @Override
    public void stop(Instance server) throws IOException {
        host(server).stop(pidFile(server), "TERM", Duration.ofSeconds(120), "see " + server.log());
    }

    @Override
    public boolean running(Instance server) {
        return host(server).running(pidFile(server));
    }

    @Override
    public void destroy(Instance server) throws IOException {
        Long pid = host(server).pid(pidFile(server));
        if (pid != null) {
            host(server).signal(pid, "KILL");
            host(server).awaitGone(pid, Duration.ofSeconds(30), "see " + server.log());
        }
    }

    private Instance startReplica(Instance server, Instance upstream) throws IOException, SQLException {
        start(server);
        Instance replica = fleet.update(server.following(upstream.address(), null));
        try (Connection c = Sql.admin(server)) {
            if (!Sql.exists(c, "SHOW SLAVE STATUS")) {
                String gtid = backupPosition(server);
                Sql.exec(
                        c,
                        "SET GLOBAL read_only = 1",
                        "SET GLOBAL gtid_slave_pos = " + Sql.literal(gtid),
                        changeMaster(upstream.address(), Sql.login(server), "slave_pos"),
                        "START SLAVE");
            }
        }
        return replica;
    }

    /**
     * The CHANGE MASTER statement that makes a server follow {@code upstream} with GTIDs, logging in as {@code root}
     * (the deployment's administrator). MariaDB keeps the password in the replica's master.info, in its data
     * directory, which only the server's user can read.
     */
    public static String changeMaster(String upstream, Secrets.Login root, String gtidMode) {
        String[] hp = ConfigValues.address("upstream", upstream);
        if (!gtidMode.equals("slave_pos") && !gtidMode.equals("current_pos")) {
            throw new IllegalArgumentException("master_use_gtid is slave_pos or current_pos, not " + gtidMode);
        }
        return "CHANGE MASTER TO master_host = " + Sql.literal(hp[0]) + ", master_port = " + hp[1]
                + ", master_user = " + Sql.literal(root.user()) + ", master_password = " + Sql.literal(root.password())
                + ", master_use_gtid = " + gtidMode
                + ", master_connect_retry = 1";
    }

    private void restore(Instance server, Path backup) throws IOException {
        host(server).deleteTree(server.data());
        host(server)
                .run(
                        null,
                        3600,
                        "cp",
                        "-a",
                        backup.resolve("data").toString(),
                        server.data().toString());
        // the position the copy ends at, kept beside the data for the replica's first start
        host(server)
                .write(
                        server.home().resolve(BACKUP_POSITION),
                        host(server).read(backup.resolve("data").resolve("xtrabackup_binlog_info")));
        writeConfig(server);
        host(server).chown(server.home(), user);
    }

    private String backupPosition(Instance server) throws IOException {
        Path info = server.home().resolve(BACKUP_POSITION);
        String[] fields = host(server).read(info).strip().split("\\s+");
        return fields.length >= 3 ? fields[2] : "";
    }

    private void writeConfig(Instance server) throws IOException {
        String[] octets = server.host().split("\\.");
        int serverId =
                (Integer.parseInt(octets[1]) << 16) + (Integer.parseInt(octets[2]) << 8) + Integer.parseInt(octets[3]);
        String cnf = "[mariadbd]\n"
                + "datadir = " + server.data() + "\n"
                + "bind-address = " + ConfigValues.host("host", server.host()) + "\n"
                + "port = " + ConfigValues.port("port", server.port()) + "\n"
                + "socket = " + server.home().resolve("mysqld.sock") + "\n"
                + "pid-file = " + pidFile(server) + "\n"
                + "log-error = " + server.log() + "\n"
                + "user = " + user + "\n"
                + "server-id = " + serverId + "\n"
                + "log-bin = binlog\n"
                + "log-slave-updates = ON\n"
                + "binlog-format = ROW\n"
                + "gtid-strict-mode = ON\n"
                + "skip-name-resolve\n"
                + "innodb-buffer-pool-size = 64M\n"
                + "innodb-log-file-size = 48M\n";
        host(server).write(config(server), cnf);
    }

    private static String password(Instance server) throws IOException {
        return server.secrets().of(server).adminPassword();
    }

    private static Path pidFile(Instance server) {
        return server.home().resolve("mysqld.pid");
    }

    private static Path config(Instance server) {
        return server.home().resolve("my.cnf");
    }

    private static final String BACKUP_POSITION = "backup-position";

    /** The machine a server runs on. */
    private Host host(Instance server) {
        return fleet.hostOf(server);
    }
}
