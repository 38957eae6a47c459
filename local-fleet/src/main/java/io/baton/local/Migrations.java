package io.baton.local;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * An upgrade's migrations run for real on a deployment's master, over JDBC through its write path (PgBouncer for
 * PostgreSQL, the published master for MariaDB), as the application's login, which owns the application's database.
 *
 * <p>The schema history is a table in the application's database, {@value #TABLE}: one row per migration an upgrade
 * applied (its upgrade, position, name, a SHA-256 of its up script, state, when and how long). On PostgreSQL a
 * migration and its history row commit in one transaction, so a crash leaves either both or neither. MariaDB commits
 * each DDL statement at once (so does PostgreSQL's {@code CREATE INDEX CONCURRENTLY}, which cannot run in a
 * transaction): there the row is written {@code running} first and {@code applied} after, and a migration found
 * {@code running} when the step is run again is run again, or fails saying it may be half applied.
 *
 * <p>A migration already in the history (for this upgrade, or by name for an earlier one with the same script) is
 * not run again; one of the same name with another script is refused. Every statement waits at most the lock timeout
 * for a lock: a migration queued behind a long transaction would otherwise hold every write to its table behind it.
 * On a lock timeout the migration is rolled back and tried again after a pause, up to a number of attempts.
 */
public final class Migrations {

    public static final String TABLE = "baton_schema_history";

    static final String RUNNING = "running";
    static final String APPLIED = "applied";

    private static final Pattern CONCURRENTLY = Pattern.compile("(?i)\\bconcurrently\\b");

    /** One migration: a label and its two scripts. */
    public record Script(String name, String up, String down) {}

    /** A row of the schema history. */
    public record Applied(
            String upgradeId,
            int position,
            String name,
            String checksum,
            String state,
            Instant appliedAt,
            long millis) {}

    /**
     * What a run did.
     *
     * @param ran migrations whose script ran (the others were applied, or reverted, already)
     * @param lockTimeouts how many times a statement gave up waiting for a lock and the migration was tried again
     */
    public record Outcome(int ran, int lockTimeouts) {}

    /**
     * @param lockTimeout the longest any statement of a migration waits for a lock, and so the longest it can hold
     *     the application's writes behind it
     * @param attempts how many times a migration is tried when it meets the lock timeout
     * @param pause how long between two attempts
     */
    public record Settings(Duration lockTimeout, int attempts, Duration pause) {

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), 5, Duration.ofSeconds(1));
        }
    }

    /** A migration that could not be applied or reverted: the message says which and what to do. */
    public static final class Failed extends Exception {
        public Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final WritePath path;
    private final Settings settings;

    public Migrations(WritePath path, Settings settings) {
        this.path = path;
        this.settings = settings;
    }

    private boolean mariadb() {
        return Engines.MARIADB.equals(path.engine());
    }

    /** Applies, in order, each migration of the upgrade not in the history yet. */
    public Outcome apply(String upgradeId, List<Script> scripts) throws Failed, InterruptedException {
        return each(scripts, false, (c, position, script) -> applyOne(c, upgradeId, position, script));
    }

    /** Runs, newest first, the down script of each migration this upgrade applied (and not another). */
    public Outcome revert(String upgradeId, List<Script> scripts) throws Failed, InterruptedException {
        return each(scripts, true, (c, position, script) -> revertOne(c, upgradeId, position, script));
    }

    /** One migration's part of a run, on a fresh connection: whether its script ran. */
    private interface Part {
        boolean run(Connection c, int position, Script script) throws SQLException;
    }

    /** Runs a part for each migration, in order or newest first, trying one again after a lock timeout. */
    private Outcome each(List<Script> scripts, boolean down, Part part) throws Failed, InterruptedException {
        int ran = 0;
        int lockTimeouts = 0;
        createHistory();
        for (int n = 0; n < scripts.size(); n++) {
            int position = down ? scripts.size() - 1 - n : n;
            Script script = scripts.get(position);
            String label = (down ? "the down script of migration " : "migration ") + label(script, position);
            for (int attempt = 1; ; attempt++) {
                try (Connection c = connect()) {
                    ran += part.run(c, position, script) ? 1 : 0;
                    break;
                } catch (SQLException e) {
                    if (!lockTimeout(e)) {
                        throw new Failed(
                                label + " failed on " + path.deployment() + "'s master: " + e.getMessage()
                                        + (down
                                                ? "; it stays in " + TABLE + " as applied, and the undo can be tried"
                                                        + " again"
                                                : "; the migrations before it stay applied until the rollback runs"
                                                        + " their down scripts"),
                                e);
                    }
                    lockTimeouts++;
                    if (attempt >= settings.attempts()) {
                        throw new Failed(lockMessage(label, attempt), e);
                    }
                    Thread.sleep(settings.pause().toMillis());
                }
            }
        }
        return new Outcome(ran, lockTimeouts);
    }

    /** The schema history, oldest first; empty when no migration ever ran here. */
    public List<Applied> history() throws SQLException {
        try (Connection c = connect()) {
            if (!historyExists(c)) {
                return List.of();
            }
            List<Applied> rows = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT upgrade_id, position, name, checksum, state, applied_at,"
                            + " millis FROM " + TABLE + " ORDER BY applied_at, upgrade_id, position")) {
                while (r.next()) {
                    rows.add(row(r));
                }
            }
            return rows;
        }
    }

    private boolean applyOne(Connection c, String upgradeId, int position, Script script) throws SQLException {
        boolean transactional = !mariadb() && !CONCURRENTLY.matcher(script.up()).find();
        try {
            return applyOne(c, upgradeId, position, script, transactional);
        } catch (SQLException e) {
            rollback(c, transactional);
            throw e;
        }
    }

    private boolean applyOne(Connection c, String upgradeId, int position, Script script, boolean transactional)
            throws SQLException {
        String checksum = checksum(script.up());
        limitLockWaits(c, transactional);
        Optional<Applied> mine = find(c, upgradeId, position);
        if (mine.filter(r -> APPLIED.equals(r.state())).isPresent()) {
            end(c, transactional);
            return false;
        }
        if (mine.isEmpty() && script.name() != null) {
            Optional<Applied> earlier = byName(c, script.name());
            if (earlier.isPresent()) {
                end(c, transactional);
                if (!earlier.get().checksum().equals(checksum)) {
                    throw new SQLException(
                            "a migration named " + script.name() + " was applied by upgrade "
                                    + earlier.get().upgradeId() + " with another up script; give this one a new name",
                            "BATON");
                }
                return false;
            }
        }
        long started = System.nanoTime();
        if (transactional) {
            exec(c, script.up());
            insert(c, upgradeId, position, script, checksum, APPLIED, millisSince(started));
            c.commit();
            return true;
        }
        boolean resumed = mine.isPresent();
        if (!resumed) {
            insert(c, upgradeId, position, script, checksum, RUNNING, 0);
        }
        try {
            exec(c, script.up());
        } catch (SQLException e) {
            if (resumed && !lockTimeout(e)) {
                throw new SQLException(
                        "it was interrupted before and " + path.engine() + " commits its statements one by one, so"
                                + " part of it may have run; running it again failed (" + e.getMessage()
                                + "). Check the schema, then remove its row from " + TABLE + " or run the rest by"
                                + " hand",
                        e.getSQLState(),
                        e.getErrorCode(),
                        e);
            }
            if (!resumed) {
                // nothing of a single statement that failed stays; the row goes so that a retry starts afresh
                forget(c, upgradeId, position);
            }
            throw e;
        }
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE " + TABLE + " SET state = ?, millis = ? WHERE upgrade_id = ? AND position = ?")) {
            s.setString(1, APPLIED);
            s.setLong(2, millisSince(started));
            s.setString(3, upgradeId);
            s.setInt(4, position);
            s.executeUpdate();
        }
        return true;
    }

    private boolean revertOne(Connection c, String upgradeId, int position, Script script) throws SQLException {
        boolean transactional =
                !mariadb() && !CONCURRENTLY.matcher(script.down()).find();
        try {
            limitLockWaits(c, transactional);
            if (find(c, upgradeId, position).isEmpty()) {
                end(c, transactional);
                return false;
            }
            exec(c, script.down());
            forget(c, upgradeId, position);
            end(c, transactional);
            return true;
        } catch (SQLException e) {
            rollback(c, transactional);
            throw e;
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        String url;
        try {
            Secrets.Login login = path.appLogin();
            p.setProperty("user", login.user());
            p.setProperty("password", login.password());
            url = path.jdbcUrl();
        } catch (IOException e) {
            throw new SQLException("the write path of " + path.deployment() + " cannot be read: " + e.getMessage(), e);
        }
        if (mariadb()) {
            p.setProperty("connectTimeout", "5000");
            p.setProperty("allowMultiQueries", "true");
        } else {
            p.setProperty("connectTimeout", "5");
            p.setProperty("ApplicationName", "baton-migrations");
        }
        return DriverManager.getConnection(url, p);
    }

    /**
     * Bounds every lock wait of what follows: in PostgreSQL for the transaction (SET LOCAL, which PgBouncer's
     * transaction pooling keeps); in MariaDB for the session, metadata locks (DDL) and InnoDB row locks, in whole
     * seconds. PostgreSQL's CONCURRENTLY, outside a transaction, takes no lock that holds writes, and a session
     * setting would not survive transaction pooling: it is left alone.
     */
    private void limitLockWaits(Connection c, boolean transactional) throws SQLException {
        long millis = Math.max(1, settings.lockTimeout().toMillis());
        try (Statement s = c.createStatement()) {
            if (mariadb()) {
                long seconds = Math.max(1, (millis + 999) / 1000);
                s.execute("SET SESSION lock_wait_timeout = " + seconds + ", innodb_lock_wait_timeout = " + seconds);
                return;
            }
            if (transactional) {
                c.setAutoCommit(false);
                s.execute("SET LOCAL lock_timeout = '" + millis + "ms'");
            }
        }
    }

    private static void end(Connection c, boolean transactional) throws SQLException {
        if (transactional) {
            c.commit();
        }
    }

    private static void rollback(Connection c, boolean transactional) {
        if (!transactional) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection closes next, which ends the transaction anyway
        }
    }

    private boolean lockTimeout(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s
                    && ("55P03".equals(s.getSQLState()) || (mariadb() && s.getErrorCode() == 1205))) {
                return true;
            }
        }
        return false;
    }

    private String lockMessage(String label, int attempts) {
        return label + " waited for a lock longer than the lock timeout ("
                + settings.lockTimeout().toMillis() + " ms) " + attempts + " times: another transaction holds a lock"
                + " on a table it changes. Nothing of it stayed applied, and the application's writes waited at most"
                + " the lock timeout each time. Find the long transaction ("
                + (mariadb() ? "SHOW PROCESSLIST" : "pg_stat_activity") + " on " + path.deployment()
                + "'s master), end it, and start the upgrade again";
    }

    private void createHistory() throws Failed {
        try (Connection c = connect()) {
            if (historyExists(c)) {
                return;
            }
            String text = mariadb() ? "VARCHAR(255)" : "TEXT";
            String time = mariadb() ? "DATETIME(6)" : "TIMESTAMPTZ";
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (upgrade_id VARCHAR(64) NOT NULL, position INT"
                        + " NOT NULL, name " + text + ", checksum CHAR(64) NOT NULL, state VARCHAR(16) NOT NULL,"
                        + " applied_at " + time + " NOT NULL, millis BIGINT NOT NULL,"
                        + " PRIMARY KEY (upgrade_id, position))");
            }
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) { // two replicas creating it at once: the other one did
                throw new Failed(
                        "the schema history " + TABLE + " cannot be made in " + path.deployment() + "'s database: "
                                + e.getMessage(),
                        e);
            }
        }
    }

    private boolean historyExists(Connection c) throws SQLException {
        String query = mariadb()
                ? "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
                : "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?";
        try (PreparedStatement s = c.prepareStatement(query)) {
            s.setString(1, TABLE);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    private static Optional<Applied> find(Connection c, String upgradeId, int position) throws SQLException {
        return first(c, "upgrade_id = ? AND position = ?", upgradeId, position);
    }

    private static Optional<Applied> byName(Connection c, String name) throws SQLException {
        return first(c, "name = ? AND state = ?", name, APPLIED);
    }

    private static Optional<Applied> first(Connection c, String where, Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT upgrade_id, position, name, checksum, state, applied_at,"
                + " millis FROM " + TABLE + " WHERE " + where)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(row(r)) : Optional.empty();
            }
        }
    }

    private static void insert(
            Connection c, String upgradeId, int position, Script script, String checksum, String state, long millis)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE
                + " (upgrade_id, position, name, checksum, state, applied_at, millis) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, upgradeId);
            s.setInt(2, position);
            s.setString(3, script.name());
            s.setString(4, checksum);
            s.setString(5, state);
            s.setTimestamp(6, Timestamp.from(Instant.now()));
            s.setLong(7, millis);
            s.executeUpdate();
        }
    }

    private static void forget(Connection c, String upgradeId, int position) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("DELETE FROM " + TABLE + " WHERE upgrade_id = ? AND position = ?")) {
            s.setString(1, upgradeId);
            s.setInt(2, position);
            s.executeUpdate();
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Applied row(ResultSet r) throws SQLException {
        Timestamp at = r.getTimestamp(6);
        return new Applied(
                r.getString(1),
                r.getInt(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                at == null ? null : at.toInstant(),
                r.getLong(7));
    }

    private static String label(Script script, int position) {
        return script.name() != null ? script.name() : "#" + (position + 1);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /** The SHA-256 of a script, in hex: what the schema history keeps of it. */
    public static String checksum(String script) {
        return io.baton.common.Hashes.sha256Hex(script);
    }
}
