package io.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real migrations on a real master through its write path: apply, resume, refuse, time out on a lock, revert. */
class MigrationsTest {

    private static final Migrations.Script NOTES = new Migrations.Script(
            "order-notes", "CREATE TABLE order_notes (id bigint, body varchar(200))", "DROP TABLE order_notes");
    private static final Migrations.Script NOTE_COLUMN = new Migrations.Script(
            "orders-note", "ALTER TABLE orders ADD COLUMN note varchar(100)", "ALTER TABLE orders DROP COLUMN note");

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
    void applyResumeRefuseAndRevert(String engine) throws Exception {
        WritePath path = site(engine);
        Migrations migrations = new Migrations(path, Migrations.Settings.defaults());

        Migrations.Outcome first = migrations.apply("u1", List.of(NOTES, NOTE_COLUMN));
        assertThat(first.ran()).isEqualTo(2);
        assertThat(columns(path, "orders")).contains("note");
        assertThat(tables(path)).contains("order_notes", Migrations.TABLE);
        assertThat(migrations.history())
                .extracting(Migrations.Applied::upgradeId, Migrations.Applied::name, Migrations.Applied::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("u1", "order-notes", "applied"),
                        org.assertj.core.groups.Tuple.tuple("u1", "orders-note", "applied"));

        assertThat(migrations.apply("u1", List.of(NOTES, NOTE_COLUMN)).ran())
                .as("an upgrade's step run again after a crash runs nothing twice")
                .isZero();
        assertThat(migrations.apply("u2", List.of(NOTES)).ran())
                .as("a later upgrade carrying a migration applied by an earlier one, same script")
                .isZero();
        assertThatThrownBy(() -> migrations.apply(
                        "u3",
                        List.of(new Migrations.Script(
                                "order-notes", "CREATE TABLE other (id int)", "DROP TABLE other"))))
                .isInstanceOf(Migrations.Failed.class)
                .hasMessageContaining("another up script");
        assertThat(tables(path)).doesNotContain("other");

        assertThat(migrations.revert("u2", List.of(NOTES)).ran())
                .as("an upgrade reverts only what it applied itself")
                .isZero();
        assertThat(migrations.revert("u1", List.of(NOTES, NOTE_COLUMN)).ran()).isEqualTo(2);
        assertThat(columns(path, "orders")).doesNotContain("note");
        assertThat(tables(path)).doesNotContain("order_notes");
        assertThat(migrations.history()).isEmpty();
        assertThat(migrations.revert("u1", List.of(NOTES, NOTE_COLUMN)).ran()).isZero();
        assertThat(count(path)).as("the application's rows").isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {Engines.POSTGRESQL, Engines.MARIADB})
    void aMigrationBehindALongTransactionGivesUpWithoutHoldingWritesLong(String engine) throws Exception {
        WritePath path = site(engine);
        // MariaDB counts its lock waits in whole seconds
        Duration lockTimeout = Engines.MARIADB.equals(engine) ? Duration.ofSeconds(1) : Duration.ofMillis(300);
        Migrations migrations = new Migrations(path, new Migrations.Settings(lockTimeout, 3, Duration.ofMillis(200)));
        AtomicLong longestWrite = new AtomicLong();
        AtomicReference<Throwable> writeError = new AtomicReference<>();
        Thread writer;
        try (Connection reader = app(path)) {
            // a reporting query left open: it holds a shared lock on orders until its transaction ends
            reader.setAutoCommit(false);
            Sql.one(reader, "SELECT count(*) FROM orders");
            writer = writer(path, longestWrite, writeError);
            assertThatThrownBy(() -> migrations.apply("u1", List.of(NOTE_COLUMN)))
                    .isInstanceOf(Migrations.Failed.class)
                    .hasMessageContaining("waited for a lock")
                    .hasMessageContaining("3 times");
            reader.commit();
        }
        writer.interrupt();
        writer.join();
        assertThat(writeError.get()).as("a write failed").isNull();
        System.out.printf(
                "%s: longest write while the migration waited for its lock: %d ms (lock timeout %d ms)%n",
                engine, longestWrite.get(), lockTimeout.toMillis());
        assertThat(longestWrite.get())
                .as("the longest write (ms) while the migration waited for its lock: held behind it, but not longer")
                .isGreaterThanOrEqualTo(lockTimeout.toMillis() / 3)
                .isLessThan(lockTimeout.toMillis() + 1_000);
        assertThat(columns(path, "orders")).doesNotContain("note");
        assertThat(migrations.history()).isEmpty();

        Migrations.Outcome after = migrations.apply("u1", List.of(NOTE_COLUMN));
        assertThat(after.ran()).isEqualTo(1);
        assertThat(columns(path, "orders")).contains("note");
    }

    @ParameterizedTest
    @ValueSource(strings = {Engines.MARIADB})
    void aMigrationInterruptedWhereStatementsCommitOneByOneIsRunAgainOrNamed(String engine) throws Exception {
        WritePath path = site(engine);
        Migrations migrations = new Migrations(path, Migrations.Settings.defaults());
        migrations.apply("u0", List.of());
        Migrations.Script idempotent =
                new Migrations.Script("t5", "CREATE TABLE IF NOT EXISTS t5 (id int)", "DROP TABLE IF EXISTS t5");
        Migrations.Script plain = new Migrations.Script("t6", "CREATE TABLE t6 (id int)", "DROP TABLE t6");
        try (Connection c = app(path)) {
            // as a process killed between the statement and the row's update leaves it
            Sql.exec(
                    c,
                    "CREATE TABLE t6 (id int)",
                    "INSERT INTO " + Migrations.TABLE + " VALUES ('u1', 0, 't5', '"
                            + Migrations.checksum(idempotent.up()) + "', 'running', NOW(6), 0)",
                    "INSERT INTO " + Migrations.TABLE + " VALUES ('u2', 0, 't6', '" + Migrations.checksum(plain.up())
                            + "', 'running', NOW(6), 0)");
        }
        assertThat(migrations.apply("u1", List.of(idempotent)).ran()).isEqualTo(1);
        assertThat(migrations.history())
                .filteredOn(a -> a.upgradeId().equals("u1"))
                .extracting(Migrations.Applied::state)
                .containsExactly("applied");
        assertThatThrownBy(() -> migrations.apply("u2", List.of(plain)))
                .isInstanceOf(Migrations.Failed.class)
                .hasMessageContaining("interrupted before")
                .hasMessageContaining("part of it may have run");
    }

    /** A master with its write path and an application table of three rows. */
    private WritePath site(String engine) throws Exception {
        RealServers.assumeInstalled(engine);
        fleet = new LocalFleet(RealServers.freshRoot("mig-" + engine), LocalFleet.Settings.defaults());
        fleet.prepare();
        DatabaseServers servers = fleet.servers(engine);
        Instance master = fleet.create("m", "db-1", "shop", engine);
        servers.initPrimary(master);
        servers.createApplicationDatabase(master, "shop");
        WritePath path = fleet.createWritePath("shop", master, "shop");
        try (Connection c = app(path)) {
            Sql.exec(c, "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders VALUES (1), (2), (3)");
        }
        return path;
    }

    private static Connection app(WritePath path) throws Exception {
        Secrets.Login login = path.appLogin();
        return DriverManager.getConnection(path.jdbcUrl(), login.user(), login.password());
    }

    private static Thread writer(WritePath path, AtomicLong longest, AtomicReference<Throwable> error) {
        Thread t = new Thread(() -> {
            int id = 1_000;
            try (Connection c = app(path)) {
                while (!Thread.currentThread().isInterrupted()) {
                    long started = System.nanoTime();
                    Sql.exec(c, "INSERT INTO orders VALUES (" + id++ + ")");
                    longest.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                    Thread.sleep(10);
                }
            } catch (InterruptedException done) {
                // the test is over
            } catch (Exception e) {
                error.set(e);
            }
        });
        t.start();
        return t;
    }

    private static List<String> columns(WritePath path, String table) throws Exception {
        try (Connection c = app(path)) {
            return Sql.column(
                    c,
                    "SELECT column_name FROM information_schema.columns WHERE table_name = '" + table + "'"
                            + " AND table_schema = "
                            + (path.pooled() ? "current_schema()" : "DATABASE()"));
        }
    }

    private static List<String> tables(WritePath path) throws Exception {
        try (Connection c = app(path)) {
            return Sql.column(
                    c,
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                            + (path.pooled() ? "current_schema()" : "DATABASE()"));
        }
    }

    private static int count(WritePath path) throws SQLException, Exception {
        try (Connection c = app(path)) {
            return Integer.parseInt(Sql.one(c, "SELECT count(*) FROM orders"));
        }
    }
}
