package io.baton.launcher.load;

import io.baton.common.Wait;
import io.baton.local.Engines;
import io.baton.local.Secrets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * An application that keeps inserting numbered rows through a deployment's write path, one autocommit insert at a
 * time, and remembers which were acknowledged. Afterwards every acknowledged row must be on the final master: any
 * that is not was lost. Bounded in count and in time.
 *
 * <p>A write that fails is counted and retried as the next number on a fresh connection to wherever the write path
 * leads then (PgBouncer's address for PostgreSQL; the published master for MariaDB).
 */
public final class WriteLoad implements AutoCloseable {

    /**
     * @param maxStallMillis the longest time between two consecutive acknowledgements: how long writes stood still
     * @param p99LatencyMillis the 99th percentile of an acknowledged write's time, from its start to its ack
     */
    public record Result(
            long acknowledged, long failed, long maxStallMillis, double p99LatencyMillis, double p50LatencyMillis) {}

    static final String TABLE = "baton_writes";

    private final String engine;
    private final Secrets.Login login;
    private final Supplier<String> writePath;
    private final String database;
    private final long maxWrites;
    private final Duration maxTime;
    private final long pauseMicros;
    private final BitSet acknowledged = new BitSet();
    private final List<Long> latenciesMicros = new ArrayList<>();
    private volatile boolean stop;
    private long failed;
    private long maxStallNanos;
    private Thread thread;
    private String lastError;

    /**
     * @param login the deployment's application login
     * @param writePath where to connect now, asked again after every failure
     * @param pauseMicros the pause between two writes, to leave the machine to the upgrade
     */
    public WriteLoad(
            String engine,
            Secrets.Login login,
            Supplier<String> writePath,
            String database,
            long maxWrites,
            Duration maxTime,
            long pauseMicros) {
        this.engine = Engines.of(engine);
        this.login = login;
        this.writePath = writePath;
        this.database = database;
        this.maxWrites = maxWrites;
        this.maxTime = maxTime;
        this.pauseMicros = pauseMicros;
    }

    public WriteLoad start() throws SQLException {
        try (Connection c = connect(writePath.get());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id BIGINT PRIMARY KEY, at TIMESTAMP)");
        }
        thread = new Thread(this::run, "write-load");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        long deadline = System.nanoTime() + maxTime.toNanos();
        long lastAck = System.nanoTime();
        Connection c = null;
        PreparedStatement insert = null;
        for (long id = 1; id <= maxWrites && !stop && System.nanoTime() < deadline; id++) {
            long started = System.nanoTime();
            try {
                if (c == null) {
                    c = connect(writePath.get());
                    insert = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, CURRENT_TIMESTAMP)");
                }
                insert.setLong(1, id);
                insert.executeUpdate();
                long now = System.nanoTime();
                synchronized (this) {
                    acknowledged.set((int) id);
                    latenciesMicros.add((now - started) / 1_000);
                    maxStallNanos = Math.max(maxStallNanos, now - lastAck);
                }
                lastAck = now;
            } catch (SQLException | RuntimeException e) {
                synchronized (this) {
                    failed++;
                    lastError = e.getMessage();
                }
                close(c);
                c = null;
                sleepMicros(20_000);
            }
            sleepMicros(pauseMicros);
        }
        close(c);
    }

    private Result result() {
        List<Long> sorted;
        synchronized (this) {
            sorted = new ArrayList<>(latenciesMicros);
        }
        Collections.sort(sorted);
        return new Result(
                acknowledged.cardinality(),
                failed,
                maxStallNanos / 1_000_000,
                percentile(sorted, 0.99) / 1000.0,
                percentile(sorted, 0.50) / 1000.0);
    }

    /** Waits for the writer to end and returns its figures. */
    public Result finish() throws InterruptedException {
        stop = true;
        thread.join(60_000);
        return result();
    }

    public synchronized long acknowledgedCount() {
        return acknowledged.cardinality();
    }

    public synchronized String lastError() {
        return lastError;
    }

    /** The acknowledged writes that {@code master} does not have: lost writes. Call after {@link #finish}. */
    public List<Long> missingOn(String master) throws SQLException {
        BitSet present = new BitSet();
        try (Connection c = connect(master);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT id FROM " + TABLE)) {
            while (r.next()) {
                present.set((int) r.getLong(1));
            }
        }
        BitSet missing;
        synchronized (this) {
            missing = (BitSet) acknowledged.clone();
        }
        missing.andNot(present);
        return missing.stream().mapToObj(i -> (long) i).toList();
    }

    /** How many rows a server has, to compare a replica with its master. */
    public long rowsOn(String server) throws SQLException {
        try (Connection c = connect(server);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
            r.next();
            return r.getLong(1);
        }
    }

    private Connection connect(String address) throws SQLException {
        if (Engines.MARIADB.equals(engine)) {
            return DriverManager.getConnection(
                    "jdbc:mariadb://" + address + "/" + database + "?connectTimeout=2000&socketTimeout=10000",
                    login.user(),
                    login.password());
        }
        // PgBouncer pools per transaction: no server-side prepared statements
        return DriverManager.getConnection(
                "jdbc:postgresql://" + address + "/" + database
                        + "?prepareThreshold=0&connectTimeout=3&socketTimeout=30",
                login.user(),
                login.password());
    }

    @Override
    public void close() throws InterruptedException {
        if (thread != null) {
            finish();
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a connection that failed is closed already
            }
        }
    }

    private static void sleepMicros(long micros) {
        if (micros <= 0) {
            return;
        }
        try {
            Wait.delay(Duration.ofNanos(micros * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
