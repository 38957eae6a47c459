package io.baton.db.replication.postgres;

import io.baton.common.Wait;
import io.baton.db.replication.LocalReplication;
import io.baton.db.replication.Switchovers;
import io.baton.local.Engines;
import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.baton.local.Os;
import io.baton.local.PgBouncer;
import io.baton.local.PostgresServers;
import io.baton.local.PostgresServers.ControlData;
import io.baton.local.Sql;
import io.baton.local.WritePath;
import io.baton.saga.SagaRules;
import io.baton.saga.StepFailedException;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * PostgreSQL streaming replication on the local cloud's servers, with PgBouncer as the write path. Positions are WAL
 * locations (LSNs). The switchover runs in the order that needs no rewind: hold writes in PgBouncer, stop the old
 * primary cleanly (its shutdown checkpoint reaches the connected replicas), wait until the candidate has replayed
 * that checkpoint, promote it, point PgBouncer at it and let writes go. The old primary then follows the new one,
 * so the same switchover reverses it.
 */
// a singleton: no client proxy, which a subclass of LocalReplication could not have
@Singleton
@LookupIfProperty(name = "baton.db.driver", stringValue = "local")
public class PostgresReplication extends LocalReplication {

    private static final Logger LOG = Logger.getLogger(PostgresReplication.class);

    public PostgresReplication(LocalFleet fleet, Switchovers switchovers) {
        super(fleet, switchovers);
    }

    @Override
    protected String engine() {
        return Engines.POSTGRESQL;
    }

    @Override
    protected String positionQuery() {
        return "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END";
    }

    @Override
    public CatchUp awaitCatchUp(String deployment, Node master, Node replica, Duration timeout, BooleanSupplier aborted)
            throws StepFailedException, InterruptedException {
        long started = System.currentTimeMillis();
        String target = query(deployment, master, "SELECT pg_current_wal_lsn()");
        try {
            String applied = Wait.forThe(
                            replica.name() + " to replay " + master.name() + "'s WAL up to " + target, timeout)
                    .every(Duration.ofMillis(20))
                    .stopIf(aborted, SagaRules.ABORTED)
                    .ignoring(SQLException.class)
                    .untilValue(() -> {
                        String now = one(deployment, replica, "SELECT pg_last_wal_replay_lsn()");
                        return now != null && lsn(now) >= lsn(target) ? now : null;
                    });
            return new CatchUp(target, applied, System.currentTimeMillis() - started);
        } catch (Wait.Unfinished e) {
            throw new StepFailedException(e.getMessage());
        } catch (SQLException e) {
            throw new StepFailedException(
                    replica.name() + " at " + replica.address() + " does not answer: " + e.getMessage());
        }
    }

    /** How many interrupted attempts of one switchover are given back and tried again before the step fails. */
    static final int MAX_INTERRUPTIONS = 3;

    /**
     * Switches the master over, or finishes or reverses one this service began and did not end (it stopped in the
     * middle, or another replica did): the phase recorded before each part says which. Whatever happens, it ends with
     * writes flowing: PgBouncer resumed, with a writable master behind it.
     */
    @Override
    public Switchover switchover(String deployment, Node oldMaster, Node candidate, Duration fenceTimeout)
            throws StepFailedException, InterruptedException {
        var done = switchovers.completed(oldMaster, candidate);
        if (done.isPresent()) {
            return done.get();
        }
        Instance old = instance(oldMaster);
        Instance next = instance(candidate);
        WritePath path = fleet.writePath(deployment)
                .orElseThrow(() -> new StepFailedException("deployment " + deployment
                        + " has no write path (PgBouncer) in the local cloud; writes could not be held"));
        PostgresServers servers = (PostgresServers) fleet.servers(old);
        PgBouncer bouncer = path.pgbouncer();
        try {
            Optional<String> phase = switchovers.phase(oldMaster, candidate);
            Fence fence = null;
            if (inRecovery(next) && !phase.equals(Optional.of(Switchovers.PROMOTING))) {
                if (phase.isPresent()) {
                    giveBack(deployment, oldMaster, candidate, servers, old, next, path);
                }
                fence = fence(deployment, oldMaster, candidate, fenceTimeout, servers, old, next, bouncer);
            } else if (inRecovery(next)) {
                // stopped while promoting: the candidate has every write of the old master, which is down
                LOG.warnf("%s: finishing the promotion of %s begun before a restart", deployment, candidate.name());
                promote(next);
            }
            String finalPosition = fence != null
                    ? fence.finalPosition
                    : switchovers.finalPosition(oldMaster, candidate).orElse("unknown");
            String applied =
                    fence != null ? fence.applied : query(deployment, candidate, "SELECT pg_current_wal_lsn()");
            long fencedAt = fence != null ? fence.fencedAt : System.nanoTime();
            Laps phases = fence != null ? fence.laps : new Laps(fencedAt);
            path.pointAt(next.address());
            phases.lap("re-point");
            switchovers.reached(deployment, "repointed");
            bouncer.resume();
            phases.lap("resume");
            switchovers.reached(deployment, "resumed");
            long fenceMillis = (System.nanoTime() - fencedAt) / 1_000_000;
            fleet.update(next.following(null, null));
            if (!servers.running(old)) {
                servers.rejoin(old, next.address(), next.slot());
            }
            LOG.infof(
                    "%s: %s promoted; %s final checkpoint %s, replayed to %s; writes held %d ms (%s)",
                    deployment, candidate.name(), oldMaster.name(), finalPosition, applied, fenceMillis, phases);
            return switchovers.complete(
                    deployment, oldMaster, candidate, new Switchover(finalPosition, applied, fenceMillis));
        } catch (IOException | SQLException e) {
            throw new StepFailedException(
                    "switchover from " + oldMaster.name() + " to " + candidate.name() + " failed: " + e.getMessage());
        }
    }

    /** What the fence found: where the old master ended, what the candidate replayed, and when writes were held. */
    private record Fence(String finalPosition, String applied, long fencedAt, Laps laps) {}

    /**
     * Holds writes, stops the old master cleanly, waits for the candidate to replay its final checkpoint and
     * promotes it; refuses (writes resumed on the old master) when the candidate is not there in time.
     */
    private Fence fence(
            String deployment,
            Node oldMaster,
            Node candidate,
            Duration fenceTimeout,
            PostgresServers servers,
            Instance old,
            Instance next,
            PgBouncer bouncer)
            throws IOException, SQLException, StepFailedException, InterruptedException {
        // a checkpoint now leaves the shutdown checkpoint, inside the fence, little to write
        Sql.exec(old, "CHECKPOINT");
        switchovers.begin(deployment, oldMaster, candidate, Switchovers.FENCING);
        long fencedAt = System.nanoTime();
        Laps phases = new Laps(fencedAt);
        bouncer.pause();
        phases.lap("pause");
        switchovers.reached(deployment, "paused");
        servers.stop(old);
        phases.lap("stop");
        switchovers.reached(deployment, "old-stopped");
        ControlData control = servers.controlData(old);
        String finalPosition = control.checkpointLocation();
        if (!"shut down".equals(control.state())) {
            refuse(servers, old, bouncer, oldMaster.name() + " did not stop cleanly (" + control.state() + ")");
        }
        switchovers.finalPosition(deployment, oldMaster, candidate, finalPosition);
        phases.lap("control data");
        switchovers.reached(deployment, "final-position");
        String applied = awaitReplayed(next, finalPosition, fencedAt + fenceTimeout.toNanos());
        if (applied == null) {
            refuse(
                    servers,
                    old,
                    bouncer,
                    "promotion refused: " + candidate.name() + " did not replay " + oldMaster.name()
                            + "'s final checkpoint " + finalPosition + " within the " + fenceTimeout.toMillis()
                            + " ms write fence; writes resumed on " + oldMaster.name());
        }
        phases.lap("replay");
        switchovers.begin(deployment, oldMaster, candidate, Switchovers.PROMOTING);
        promote(next);
        phases.lap("promote");
        switchovers.reached(deployment, "promoted");
        return new Fence(finalPosition, applied, fencedAt, phases);
    }

    /**
     * An attempt stopped before it promoted anything (this service died in its fence): the old master runs again as
     * it was, PgBouncer points at it and lets the held writes go. Then a new attempt may begin, unless this
     * switchover was interrupted {@link #MAX_INTERRUPTIONS} times already, which fails the step.
     */
    private void giveBack(
            String deployment,
            Node oldMaster,
            Node candidate,
            PostgresServers servers,
            Instance old,
            Instance next,
            WritePath path)
            throws IOException, SQLException, StepFailedException, InterruptedException {
        int times = switchovers.interrupted(deployment, oldMaster, candidate);
        LOG.warnf(
                "%s: a switchover from %s to %s was interrupted before promotion (%d time(s)); writes go back to %s",
                deployment, oldMaster.name(), candidate.name(), times, oldMaster.name());
        awaitUp(servers, old);
        if (!old.address().equals(path.target())) {
            path.pointAt(old.address());
        }
        path.pgbouncer().resume();
        awaitStreaming(old, next);
        if (times >= MAX_INTERRUPTIONS) {
            throw new StepFailedException("the switchover from " + oldMaster.name() + " to " + candidate.name()
                    + " was interrupted " + times + " times; writes flow on " + oldMaster.name()
                    + " as before, and it is not tried again");
        }
    }

    /**
     * Waits until the candidate streams from the old master, started again, and has replayed what it wrote so far:
     * its WAL receiver reconnects only after {@code wal_retrieve_retry_interval}, and a new fence must not wait for
     * that (the old master's shutdown checkpoint would not reach it in time). The replay position alone does not
     * say so: the candidate had the checkpoint before the restart.
     */
    private static void awaitStreaming(Instance old, Instance candidate)
            throws IOException, SQLException, InterruptedException {
        String streaming = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name = "
                + Sql.literal(candidate.name());
        Os.await(
                Wait.forThe(candidate.name() + " to stream from " + old.name() + " again", Duration.ofSeconds(120))
                        .every(Duration.ofMillis(50))
                        .ignoring(SQLException.class),
                "see " + candidate.log(),
                () -> "1".equals(Sql.one(old, streaming)));
        String target = Sql.one(old, "SELECT pg_current_wal_lsn()");
        Os.await(
                Wait.forThe(
                                candidate.name() + " to replay " + old.name() + "'s WAL up to " + target,
                                Duration.ofSeconds(120))
                        .every(Duration.ofMillis(20))
                        .ignoring(SQLException.class),
                "see " + candidate.log(),
                () -> {
                    String replayed = Sql.one(candidate, "SELECT pg_last_wal_replay_lsn()");
                    return replayed != null && lsn(replayed) >= lsn(target);
                });
    }

    /**
     * The old master taking writes again: one still shutting down (this service stopped in the middle of its fast
     * shutdown) is let finish first, then started; one that answers is left as it is.
     */
    private static void awaitUp(PostgresServers servers, Instance old)
            throws IOException, SQLException, InterruptedException {
        Os.await(
                Wait.forThe(old.name() + " to answer, or to finish stopping", Duration.ofSeconds(120))
                        .every(Duration.ofMillis(20)),
                "see " + old.log(),
                () -> !servers.running(old) || answers(old));
        if (!servers.running(old)) {
            servers.start(old);
        }
        if (inRecovery(old)) {
            throw new SQLException(old.name() + " runs as a replica; it is not the master any more");
        }
    }

    private static boolean answers(Instance server) {
        try {
            Sql.one(server, "SELECT 1");
            return true;
        } catch (SQLException notYet) {
            return false;
        }
    }

    @Override
    public MasterCheck verifyMaster(String deployment, Node master) throws StepFailedException {
        try (Connection c = admin(deployment, master)) {
            if ("t".equals(Sql.one(c, "SELECT pg_is_in_recovery()"))) {
                throw new StepFailedException(master.name() + " is still a replica (in recovery)");
            }
            // assigning a transaction id is a write: a server that cannot take writes refuses it
            Sql.one(c, "SELECT txid_current()");
            var path = fleet.writePath(deployment);
            if (path.isPresent() && !master.address().equals(path.get().target())) {
                throw new StepFailedException("the write path leads to "
                        + path.get().target() + ", not to " + master.name() + " at " + master.address());
            }
            return new MasterCheck(
                    true, Sql.column(c, "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1"));
        } catch (SQLException | IOException e) {
            throw new StepFailedException(master.name() + " does not take writes: " + e.getMessage());
        }
    }

    private void refuse(PostgresServers servers, Instance old, PgBouncer bouncer, String why)
            throws StepFailedException, IOException {
        // nothing was promoted: the old primary starts again as it was and takes the held writes
        servers.start(old);
        bouncer.resume();
        throw new StepFailedException(why);
    }

    /** The candidate's replay position once it is past {@code position}; null when the deadline passed first. */
    private static String awaitReplayed(Instance candidate, String position, long deadlineNanos)
            throws SQLException, InterruptedException {
        try (Connection c = Sql.admin(candidate)) {
            return Wait.forThe(candidate.name() + " to replay past " + position, deadlineNanos)
                    .every(Duration.ofMillis(2))
                    .untilValue(() -> {
                        String replayed = Sql.one(c, "SELECT pg_last_wal_replay_lsn()");
                        // the checkpoint record starts at its location: replayed means past it
                        return replayed != null && lsn(replayed) > lsn(position) ? replayed : null;
                    });
        } catch (Wait.Unfinished timedOut) {
            return null;
        }
    }

    /** pg_promote(wait => true) looks every 100 ms; asking every 2 ms shortens the fence by as much. */
    private static void promote(Instance server) throws SQLException, StepFailedException, InterruptedException {
        try (Connection c = Sql.admin(server)) {
            Sql.exec(c, "SELECT pg_promote(false)");
            Wait.forThe(server.name() + " to leave recovery once promoted", Duration.ofSeconds(60))
                    .every(Duration.ofMillis(2))
                    .until(() -> !"t".equals(Sql.one(c, "SELECT pg_is_in_recovery()")));
        } catch (Wait.Unfinished e) {
            throw new StepFailedException(e.getMessage() + "; see " + server.log());
        }
    }

    private static boolean inRecovery(Instance server) throws SQLException {
        return "t".equals(Sql.one(server, "SELECT pg_is_in_recovery()"));
    }

    private String query(String deployment, Node node, String sql) throws StepFailedException {
        try {
            return one(deployment, node, sql);
        } catch (SQLException e) {
            throw new StepFailedException(
                    node.name() + " at " + node.address() + " does not answer: " + e.getMessage());
        }
    }

    /** How long each part of a fence took, for the log an operator reads when a fence was long. */
    private static final class Laps {
        private final StringBuilder text = new StringBuilder();
        private long last;

        Laps(long start) {
            last = start;
        }

        void lap(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? "" : ", ")
                    .append(phase)
                    .append(' ')
                    .append((now - last) / 1_000_000)
                    .append(" ms");
            last = now;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** A WAL location "16/B374D848" as a number. */
    public static long lsn(String location) {
        int slash = location.indexOf('/');
        return (Long.parseLong(location.substring(0, slash), 16) << 32)
                | Long.parseLong(location.substring(slash + 1), 16);
    }
}
