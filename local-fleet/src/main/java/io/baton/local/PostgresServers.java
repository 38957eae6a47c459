package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL 15 servers: initdb, streaming replicas made with pg_basebackup through a replication slot. */
public final class PostgresServers implements DatabaseServers {

    /** The login applications use: no superuser, so it cannot escape a fence. */
    public static final String APP_USER = "app";

    private final LocalFleet fleet;
    private final String user;

    PostgresServers(LocalFleet fleet) {
        this.fleet = fleet;
        this.user = fleet.settings().postgresUser();
    }

    @Override
    public void initPrimary(Instance server) throws IOException {
        if (!host(server).exists(server.data().resolve("PG_VERSION"))) {
            host(server).deleteTree(server.data());
            host(server).chown(server.home(), user);
            // the administrator's password reaches initdb in a file of the server's user, gone once it is stored
            Path pwfile = server.home().resolve("initdb-password");
            try {
                host(server).writeOwnerOnly(pwfile, admin(server).password() + "\n");
                host(server).chown(pwfile, user);
                host(server)
                        .run(
                                user,
                                120,
                                bin("initdb"),
                                "-D",
                                server.data().toString(),
                                "-A",
                                "scram-sha-256",
                                "--pwfile=" + pwfile,
                                "-U",
                                "postgres",
                                "-E",
                                "UTF8");
            } finally {
                host(server).delete(pwfile);
            }
            configure(server);
        }
        passfile(server);
        start(server);
    }

    @Override
    public Instance initReplica(Instance server, Instance upstream, Instance source) throws IOException, SQLException {
        String slot = slotName(server);
        if (!host(server).exists(server.data().resolve("PG_VERSION"))) {
            host(server).deleteTree(server.data());
            host(server).chown(server.home(), user);
            dropSlot(Sql.login(upstream), upstream.address(), slot);
            // -C -S makes the slot that keeps the WAL it needs; follow() then says where it streams from
            host(server)
                    .run(
                            user,
                            3600,
                            bin("pg_basebackup"),
                            "-d",
                            conninfo(upstream.address(), passfile(server)),
                            "-D",
                            server.data().toString(),
                            "-X",
                            "stream",
                            "-c",
                            "fast",
                            "-C",
                            "-S",
                            slot);
            follow(server, upstream.address(), slot);
            configure(server);
        }
        Instance replica = fleet.update(server.following(upstream.address(), slot));
        start(replica);
        return replica;
    }

    @Override
    public Instance restoreReplica(Instance server, LocalFleet.Backup taken, Instance upstream)
            throws IOException, SQLException {
        String slot = slotName(server);
        if (!host(server).exists(server.data().resolve("PG_VERSION"))) {
            if (!taken.host().exists(taken.dir().resolve(COMPLETE))) {
                throw new IOException("the backup " + taken.id() + " is not complete; take it again");
            }
            Path backup = fleet.bring(taken.host(), taken.dir(), server, "backup");
            host(server).deleteTree(server.data());
            host(server).chown(server.home(), user);
            host(server)
                    .run(
                            user,
                            3600,
                            "cp",
                            "-a",
                            backup.resolve("data").toString(),
                            server.data().toString());
            if (!backup.equals(taken.dir())) {
                host(server).deleteTree(backup);
            }
            dropSlot(Sql.login(upstream), upstream.address(), slot);
            Sql.exec(upstream, "SELECT pg_create_physical_replication_slot(" + Sql.literal(slot) + ", true)");
            follow(server, upstream.address(), slot);
            configure(server);
        }
        Instance replica = fleet.update(server.following(upstream.address(), slot));
        start(replica);
        return replica;
    }

    @Override
    public void backup(Instance source, Path target) throws IOException {
        Host host = host(source);
        if (host.exists(target.resolve(COMPLETE))) {
            return;
        }
        host.deleteTree(target);
        host.mkdirs(target);
        host.chown(target, user);
        host.run(
                user,
                3600,
                bin("pg_basebackup"),
                "-d",
                conninfo(source.address(), passfile(source)),
                "-D",
                target.resolve("data").toString(),
                "-X",
                "stream",
                "-c",
                "fast");
        host.write(target.resolve(COMPLETE), source.name() + "\n");
    }

    @Override
    public void createApplicationDatabase(Instance primary, String database) throws SQLException {
        // the role gets the password's SCRAM verifier: the statement (which a server may log) never holds the password
        String verifier =
                Sql.literal(Secrets.scramVerifier(Sql.credentials(primary).appPassword()));
        try (Connection c = Sql.admin(primary)) {
            if (Sql.one(c, "SELECT 1 FROM pg_roles WHERE rolname = " + Sql.literal(APP_USER)) == null) {
                Sql.exec(c, "CREATE ROLE " + APP_USER + " LOGIN PASSWORD " + verifier);
            } else {
                Sql.exec(c, "ALTER ROLE " + APP_USER + " PASSWORD " + verifier);
            }
            if (Sql.one(c, "SELECT 1 FROM pg_database WHERE datname = " + Sql.literal(database)) == null) {
                Sql.exec(c, "CREATE DATABASE \"" + database.replace("\"", "") + "\" OWNER " + APP_USER);
            }
        }
    }

    @Override
    public void start(Instance server) throws IOException {
        if (running(server)) {
            return;
        }
        host(server)
                .run(
                        user,
                        120,
                        bin("pg_ctl"),
                        "-D",
                        server.data().toString(),
                        "-l",
                        server.log().toString(),
                        "-w",
                        "-t",
                        "90",
                        "start");
    }

    /**
     * A fast shutdown (SIGINT to the postmaster, as pg_ctl -m fast sends), watched every 2 ms: pg_ctl itself looks
     * only every 100 ms, and a switchover holds writes for as long as this takes.
     */
    @Override
    public void stop(Instance server) throws IOException {
        host(server).stop(pidFile(server), "INT", Duration.ofSeconds(120), "see " + server.log());
    }

    @Override
    public boolean running(Instance server) {
        return host(server).running(pidFile(server));
    }

    private static Path pidFile(Instance server) {
        return server.data().resolve("postmaster.pid");
    }

    @Override
    public void destroy(Instance server) throws IOException {
        if (running(server)) {
            host(server).run(user, 60, bin("pg_ctl"), "-D", server.data().toString(), "-m", "immediate", "-w", "stop");
        }
        if (server.upstream() != null && server.slot() != null) {
            // the walsender lets go of the slot a moment after the replica is gone
            try {
                Secrets.Login login = Sql.login(server);
                Os.await(
                        Wait.forThe("the slot " + server.slot() + " to be let go of", Duration.ofSeconds(5))
                                .every(Duration.ofMillis(100)),
                        null,
                        () -> dropped(login, server.upstream(), server.slot()));
            } catch (IOException | SQLException stillHeld) {
                // the upstream keeps WAL for it until it is dropped by hand; it is named in its log
            }
        }
    }

    /**
     * The state and last checkpoint location in a server's control file (what {@code pg_controldata} prints as
     * "Database cluster state" and "Latest checkpoint location"), read directly: a switchover reads it while writes
     * are held, and starting pg_controldata costs more than the read. The layout is PostgreSQL 15's on a 64-bit
     * machine; {@link #controlDataOfTool} gives the same from the tool, to compare.
     */
    public ControlData controlData(Instance server) throws IOException {
        byte[] control = host(server).readBytes(server.data().resolve("global").resolve("pg_control"));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(control).order(java.nio.ByteOrder.nativeOrder());
        int state = b.getInt(16);
        long checkpoint = b.getLong(32);
        String[] states = {
            "starting up",
            "shut down",
            "shut down in recovery",
            "shutting down",
            "in crash recovery",
            "in archive recovery",
            "in production"
        };
        return new ControlData(
                state >= 0 && state < states.length ? states[state] : "unknown (" + state + ")",
                Long.toHexString(checkpoint >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                        + Long.toHexString(checkpoint & 0xffffffffL).toUpperCase(java.util.Locale.ROOT));
    }

    /** The same as {@link #controlData}, from {@code pg_controldata}. */
    public ControlData controlDataOfTool(Instance server) throws IOException {
        String out = host(server)
                .run(null, 30, bin("pg_controldata"), "-D", server.data().toString());
        String state = null;
        String checkpoint = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("Database cluster state:")) {
                state = line.substring(line.indexOf(':') + 1).strip();
            } else if (line.startsWith("Latest checkpoint location:")) {
                checkpoint = line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return new ControlData(state, checkpoint);
    }

    /** @param state "shut down" after a clean stop of a primary, "in production" while it runs */
    public record ControlData(String state, String checkpointLocation) {}

    /**
     * Turns a stopped server into a replica of {@code upstream} and starts it. It must have been stopped cleanly
     * before the upstream was promoted, so that their histories do not fork. A slot it still holds for a server that
     * no longer follows it is dropped.
     */
    public Instance rejoin(Instance server, String upstream, String staleSlot) throws IOException {
        follow(server, upstream, null);
        Instance replica = fleet.update(server.following(upstream, null));
        start(replica);
        if (staleSlot != null) {
            try {
                dropSlot(Sql.login(replica), replica.address(), staleSlot);
            } catch (SQLException e) {
                // a slot left on a replica retains nothing while it replays; the server's log says why it stayed
            }
        }
        return replica;
    }

    /** Writes standby.signal and the connection to the upstream; the server follows it from its next start. */
    private void follow(Instance server, String upstream, String slot) throws IOException {
        Path auto = server.data().resolve("postgresql.auto.conf");
        List<String> lines = new ArrayList<>();
        if (host(server).exists(auto)) {
            for (String line : host(server).read(auto).lines().toList()) {
                if (!line.startsWith("primary_conninfo") && !line.startsWith("primary_slot_name")) {
                    lines.add(line);
                }
            }
        }
        // every part is checked for its form (no quote, space or line break can reach the file), then quoted
        String name = ConfigValues.label("server name", server.name());
        lines.add("primary_conninfo = "
                + ConfigValues.pgConfString(conninfo(upstream, passfile(server)) + " application_name=" + name));
        if (slot != null) {
            lines.add("primary_slot_name = " + ConfigValues.pgConfString(ConfigValues.slot("slot", slot)));
        }
        host(server).write(auto, String.join("\n", lines) + "\n");
        host(server).write(server.data().resolve("standby.signal"), "");
        host(server).chown(server.data(), user);
    }

    private void configure(Instance server) throws IOException {
        Path conf = server.data().resolve("postgresql.conf");
        String settings = "\n# Baton local cloud: this server's address and replication\n"
                + "listen_addresses = " + ConfigValues.pgConfString(ConfigValues.host("host", server.host())) + "\n"
                + "port = " + ConfigValues.port("port", server.port()) + "\n"
                + "unix_socket_directories = ''\n"
                + "cluster_name = " + ConfigValues.pgConfString(ConfigValues.label("server name", server.name()))
                + "\n"
                + "wal_level = replica\n"
                + "max_wal_senders = 10\n"
                + "max_replication_slots = 10\n"
                // a rejoined old master follows without a slot; this much WAL stays for it
                + "wal_keep_size = '512MB'\n"
                + "hot_standby = on\n"
                + "shared_buffers = '32MB'\n";
        host(server).append(conf, settings);
        Path hba = server.data().resolve("pg_hba.conf");
        StringBuilder lines =
                new StringBuilder("\n# Baton local cloud: its client networks only, with the deployment's passwords\n");
        for (String network : fleet.settings().clientNetworks()) {
            String[] n = ConfigValues.network("client network", network);
            String cidr = n[0] + "/" + network.substring(network.indexOf('/') + 1);
            lines.append("host all all ").append(cidr).append(" scram-sha-256\n");
            lines.append("host replication all ").append(cidr).append(" scram-sha-256\n");
        }
        host(server).append(hba, lines.toString());
        host(server).chown(server.data(), user);
    }

    /**
     * The administrator's password in a pgpass file of the server's user, which its replication connection, and
     * pg_basebackup run as that user, read (libpq takes it only if no one else may read it). Written each time a
     * server is set up, so that it always holds the deployment's password.
     */
    private Path passfile(Instance server) throws IOException {
        Path file = server.home().resolve("pgpass");
        host(server).writeOwnerOnly(file, "*:*:*:postgres:" + admin(server).password() + "\n");
        host(server).chown(file, user);
        return file;
    }

    /** A libpq connection string to {@code address} as the administrator, with the password in {@code passfile}. */
    private static String conninfo(String address, Path passfile) {
        String[] hp = ConfigValues.address("upstream", address);
        return "host=" + hp[0] + " port=" + hp[1] + " user=postgres passfile="
                + ConfigValues.path("pgpass file", passfile);
    }

    private static Secrets.Login admin(Instance server) throws IOException {
        return server.secrets().of(server).admin();
    }

    private static void dropSlot(Secrets.Login login, String address, String slot) throws SQLException {
        try (Connection c = Sql.connect(login, address, null)) {
            if (Sql.one(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = " + Sql.literal(slot)) != null) {
                Sql.exec(c, "SELECT pg_drop_replication_slot(" + Sql.literal(slot) + ")");
            }
        }
    }

    /**
     * Drops the slot unless a walsender still holds it (false: not yet); any other error gives up, true, as a slot
     * that cannot be dropped now will not be by waiting.
     */
    private static boolean dropped(Secrets.Login login, String address, String slot) {
        try {
            dropSlot(login, address, slot);
            return true;
        } catch (SQLException e) {
            return !String.valueOf(e.getMessage()).contains("is active");
        }
    }

    static String slotName(Instance server) {
        return "baton_" + server.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "_");
    }

    private String bin(String tool) {
        return fleet.settings().postgresBin().resolve(tool).toString();
    }

    /** The machine a server runs on. */
    private Host host(Instance server) {
        return fleet.hostOf(server);
    }
}
