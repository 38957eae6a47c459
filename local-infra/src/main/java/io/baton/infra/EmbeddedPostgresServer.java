package io.baton.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/** A real PostgreSQL server from the binaries packaged in Maven jars: nothing to install. */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** One database per service: each owns its state and nobody reads another's tables. */
    public static final List<String> SERVICE_DATABASES =
            List.of("baton_planner", "baton_cloud", "baton_db", "baton_lb");

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * @param port 0 for any free port
     * @param dataDir kept between runs when given; a temporary directory otherwise
     */
    public static EmbeddedPostgresServer start(int port, Path dataDir) throws Exception {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("max_connections", "300");
        if (port != 0) {
            builder.setPort(port);
        }
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start());
        server.createDatabases(SERVICE_DATABASES);
        return server;
    }

    public int port() {
        return postgres.getPort();
    }

    public String user() {
        return "postgres";
    }

    /** The reactive client URL of one database, as Quarkus expects it. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public void createDatabases(List<String> names) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            for (String name : names) {
                try (ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
                    if (!rs.next()) {
                        st.execute("create database " + name);
                    }
                }
            }
        }
    }

    /**
     * Freezes the server for {@code pause} (SIGSTOP of the postmaster and every backend, then SIGCONT): what its clients
     * see of a stalled database host. Connections stay open; statements wait, and time out if they wait too long.
     */
    public void freeze(Duration pause) throws Exception {
        ProcessHandle postmaster;
        // the backend's parent, looked up while the backend lives (it ends with its connection)
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            long backend = rs.getLong(1);
            postmaster = ProcessHandle.of(backend)
                    .flatMap(ProcessHandle::parent)
                    .orElseThrow(() -> new IllegalStateException("no postmaster above backend " + backend));
        }
        List<String> pids = new java.util.ArrayList<>();
        pids.add(Long.toString(postmaster.pid()));
        postmaster.descendants().forEach(p -> pids.add(Long.toString(p.pid())));
        try {
            signal("-STOP", pids);
            Thread.sleep(pause.toMillis());
        } finally {
            // always, whatever happened since the freeze began; a stopped postmaster forks nothing meanwhile
            signal("-CONT", pids);
        }
    }

    /** Sends a signal to the processes; one that ended since it was listed (a backend whose client left) is skipped. */
    private static void signal(String signal, List<String> pids) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("kill", signal));
        command.addAll(pids);
        new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }

    @Override
    public void close() throws Exception {
        postgres.close();
    }
}
