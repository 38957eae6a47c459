package io.baton.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Where a deployment's applications send their writes. For PostgreSQL it is a PgBouncer on its own address that
 * can hold writes (PAUSE) while the master changes and then send them to the new one; for MariaDB it is the
 * master's address itself, which Baton publishes and moves.
 *
 * @param host where applications connect
 * @param dir where Baton keeps its record
 * @param machine the SSH target of the machine PgBouncer runs on; null for the fleet's one host
 * @param home PgBouncer's directory on that machine; {@code dir} when it has no machine
 */
public record WritePath(
        LocalFleet fleet,
        String deployment,
        String engine,
        String host,
        int port,
        Path dir,
        String machine,
        Path home) {

    static final String FILE = "write-path.properties";

    /** PgBouncer's directory on its machine. */
    public Path home() {
        return home == null ? dir : home;
    }

    public String address() {
        return host + ":" + port;
    }

    /**
     * Where applications connect now: PgBouncer's own address, which stays; for MariaDB, the published master,
     * which a switchover moves.
     */
    public String clientAddress() throws IOException {
        return pooled() ? address() : target();
    }

    /** The master writes reach now. */
    public String target() throws IOException {
        return properties().getProperty("target");
    }

    /** The application's database on the deployment's servers. */
    public String database() throws IOException {
        return properties().getProperty("database");
    }

    /**
     * The JDBC URL an application server of the deployment uses (PostgreSQL: through PgBouncer), without the
     * login: that is {@link #appLogin()}, given separately.
     */
    public String jdbcUrl() throws IOException {
        return pooled()
                ? "jdbc:postgresql://" + address() + "/" + database() + "?prepareThreshold=0"
                : "jdbc:mariadb://" + target() + "/" + database();
    }

    /** The login of the deployment's applications. */
    public Secrets.Login appLogin() throws IOException {
        return credentials().app();
    }

    /** The deployment's passwords. */
    Secrets.Credentials credentials() throws IOException {
        return fleet.secrets().of(deployment, engine);
    }

    public boolean pooled() {
        return Engines.POSTGRESQL.equals(engine);
    }

    public PgBouncer pgbouncer() {
        return new PgBouncer(this);
    }

    /** Sends writes to {@code master} from now on (for PgBouncer: rewrites its configuration and reloads it). */
    public void pointAt(String master) throws IOException {
        Properties p = properties();
        p.setProperty("target", master);
        if (pooled()) {
            pgbouncer().writeConfig(master);
            save(p);
            pgbouncer().reload();
        } else {
            save(p);
        }
    }

    void create(String master, String database) throws IOException {
        Properties p = new Properties();
        p.setProperty("database", database);
        p.setProperty("deployment", deployment);
        p.setProperty("engine", engine);
        p.setProperty("host", host);
        p.setProperty("port", Integer.toString(port));
        p.setProperty("target", master);
        if (machine != null) {
            p.setProperty("machine", machine);
            p.setProperty("home", home().toString());
        }
        if (pooled()) {
            pgbouncer().writeConfig(master);
            pgbouncer().writeUsers();
            fleet.hostOf(this).chown(home(), fleet.settings().postgresUser());
        }
        save(p);
        if (pooled()) {
            pgbouncer().start();
        }
    }

    void destroy() throws IOException {
        if (pooled()) {
            pgbouncer().stop();
        }
    }

    private Properties properties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    private void save(Properties p) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "the write path of " + deployment);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static WritePath load(LocalFleet fleet, Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new WritePath(
                fleet,
                p.getProperty("deployment"),
                p.getProperty("engine"),
                p.getProperty("host"),
                Integer.parseInt(p.getProperty("port")),
                dir,
                p.getProperty("machine"),
                p.getProperty("home") == null ? null : Path.of(p.getProperty("home")));
    }
}
