package io.baton.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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

    @Override
    public void close() throws Exception {
        postgres.close();
    }
}
