package io.baton.db.replication.mariadb;

import io.baton.common.Wait;
import io.baton.db.replication.LocalReplication;
import io.baton.db.replication.Switchovers;
import io.baton.local.Engines;
import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.baton.local.MariadbServers;
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
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * MariaDB GTID replication on the local cloud's servers. Catch-up compares GTID positions with master_gtid_wait,
 * never Seconds_Behind_Master. The fence is read_only plus ending the sessions of everyone but the replication
 * threads, since read_only does not hold privileged users. The write path is the master's address that Baton
 * publishes (GET /deployments/{name}/write-path on cloud-service); clients that lose their connection look it up.
 */
// a singleton: no client proxy, which a subclass of LocalReplication could not have
@Singleton
@LookupIfProperty(name = "baton.db.driver", stringValue = "local")
public class MariadbReplication extends LocalReplication {

    private static final Logger LOG = Logger.getLogger(MariadbReplication.class);

    public MariadbReplication(LocalFleet fleet, Switchovers switchovers) {
        super(fleet, switchovers);
    }

    @Override
    protected String engine() {
        return Engines.MARIADB;
    }

    @Override
    protected String positionQuery() {
        return "SELECT @@gtid_binlog_pos";
    }

    @Override
    public CatchUp awaitCatchUp(String deployment, Node master, Node replica, Duration timeout, BooleanSupplier aborted)
            throws StepFailedException, InterruptedException {
        long started = System.currentTimeMillis();
        String target;
        try {
            target = one(deployment, master, "SELECT @@gtid_binlog_pos");
        } catch (SQLException e) {
            throw new StepFailedException(
                    master.name() + " at " + master.address() + " does not answer: " + e.getMessage());
        }
        try {
            String applied = Wait.forThe(
                            replica.name() + " to apply " + master.name() + "'s transactions up to GTID " + target,
                            timeout)
                    .every(Duration.ofMillis(100))
                    .stopIf(aborted, SagaRules.ABORTED)
                    .ignoring(SQLException.class)
                    .untilValue(() -> {
                        try (Connection c = admin(deployment, replica)) {
                            return applied(c, target, System.nanoTime() + 200_000_000L)
                                    ? Sql.one(c, "SELECT @@gtid_slave_pos")
                                    : null;
                        }
                    });
            return new CatchUp(target, applied, System.currentTimeMillis() - started);
        } catch (Wait.Unfinished e) {
            throw new StepFailedException(e.getMessage());
        } catch (SQLException e) {
            throw new StepFailedException(
                    replica.name() + " at " + replica.address() + " does not answer: " + e.getMessage());
        }
    }

    /**
     * Switches the master over, or finishes or reverses one this service began and did not end (it stopped in the
     * middle, or another replica did): the phase recorded before each part says which. Whatever happens, it ends with
     * a writable master at the published write path: the old one made writable again, or the candidate promoted.
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
        var path = fleet.writePath(deployment)
                .orElseThrow(() ->
                        new StepFailedException("deployment " + deployment + " has no write path in the local cloud"));
        try (Connection o = Sql.admin(old);
                Connection n = Sql.admin(next)) {
            long fencedAt = System.nanoTime();
            String finalPosition;
            String applied;
            Optional<String> phase = switchovers.phase(oldMaster, candidate);
            boolean replica = Sql.exists(n, "SHOW SLAVE STATUS");
            if (replica && !phase.equals(Optional.of(Switchovers.PROMOTING))) {
                if (phase.isPresent()) {
                    giveBack(deployment, oldMaster, candidate, o, path, old);
                }
                switchovers.begin(deployment, oldMaster, candidate, Switchovers.FENCING);
                fencedAt = System.nanoTime();
                Sql.exec(o, "SET GLOBAL read_only = 1");
                endClientSessions(o);
                switchovers.reached(deployment, "fenced");
                finalPosition = Sql.one(o, "SELECT @@gtid_binlog_pos");
                switchovers.finalPosition(deployment, oldMaster, candidate, finalPosition);
                switchovers.reached(deployment, "final-position");
                if (!applied(n, finalPosition, System.nanoTime() + fenceTimeout.toNanos())) {
                    Sql.exec(o, "SET GLOBAL read_only = 0");
                    throw new StepFailedException("promotion refused: " + candidate.name() + " did not apply "
                            + oldMaster.name() + "'s final GTID " + finalPosition + " within the "
                            + fenceTimeout.toMillis() + " ms write fence; writes resumed on " + oldMaster.name());
                }
                switchovers.begin(deployment, oldMaster, candidate, Switchovers.PROMOTING);
                applied = Sql.one(n, "SELECT @@gtid_slave_pos");
                Sql.exec(n, "STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = 0");
                switchovers.reached(deployment, "promoted");
            } else if (replica) {
                // stopped while promoting: the candidate had applied the old master's last write, which is fenced
                LOG.warnf("%s: finishing the promotion of %s begun before a restart", deployment, candidate.name());
                finalPosition = switchovers.finalPosition(oldMaster, candidate).orElse("unknown");
                applied = Sql.one(n, "SELECT @@gtid_slave_pos");
                Sql.exec(n, "STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = 0");
            } else {
                // promoted before a restart of this service: finish what remains
                finalPosition = switchovers.finalPosition(oldMaster, candidate).orElse("unknown");
                applied = Sql.one(n, "SELECT @@gtid_current_pos");
            }
            path.pointAt(next.address());
            switchovers.reached(deployment, "repointed");
            long fenceMillis = (System.nanoTime() - fencedAt) / 1_000_000;
            fleet.update(next.following(null, null));
            if (!Sql.exists(o, "SHOW SLAVE STATUS")) {
                // the old master follows the new one from everything it wrote itself
                Sql.exec(o, MariadbServers.changeMaster(next.address(), Sql.login(old), "current_pos"), "START SLAVE");
            }
            fleet.update(old.following(next.address(), null));
            LOG.infof(
                    "%s: %s promoted; %s final GTID %s, applied %s; writes refused %d ms",
                    deployment, candidate.name(), oldMaster.name(), finalPosition, applied, fenceMillis);
            return switchovers.complete(
                    deployment, oldMaster, candidate, new Switchover(finalPosition, applied, fenceMillis));
        } catch (SQLException | IOException e) {
            throw new StepFailedException(
                    "switchover from " + oldMaster.name() + " to " + candidate.name() + " failed: " + e.getMessage());
        }
    }

    /**
     * An attempt stopped before it promoted anything (this service died in its fence): the old master takes writes
     * again at the published write path. Then a new attempt may begin, unless this switchover was interrupted {@link
     * #MAX_INTERRUPTIONS} times already, which fails the step.
     */
    private void giveBack(String deployment, Node oldMaster, Node candidate, Connection o, WritePath path, Instance old)
            throws SQLException, IOException, StepFailedException {
        int times = switchovers.interrupted(deployment, oldMaster, candidate);
        LOG.warnf(
                "%s: a switchover from %s to %s was interrupted before promotion (%d time(s)); writes go back to %s",
                deployment, oldMaster.name(), candidate.name(), times, oldMaster.name());
        Sql.exec(o, "SET GLOBAL read_only = 0");
        if (!old.address().equals(path.target())) {
            path.pointAt(old.address());
        }
        if (times >= MAX_INTERRUPTIONS) {
            throw new StepFailedException("the switchover from " + oldMaster.name() + " to " + candidate.name()
                    + " was interrupted " + times + " times; writes flow on " + oldMaster.name()
                    + " as before, and it is not tried again");
        }
    }

    /** How many interrupted attempts of one switchover are given back and tried again before the step fails. */
    static final int MAX_INTERRUPTIONS = 3;

    @Override
    public MasterCheck verifyMaster(String deployment, Node master) throws StepFailedException {
        try (Connection c = admin(deployment, master)) {
            if (!"0".equals(Sql.one(c, "SELECT @@read_only"))) {
                throw new StepFailedException(master.name() + " is read-only");
            }
            // a heartbeat row, as monitoring tools keep one: a real write that replicates
            Sql.exec(
                    c,
                    "CREATE DATABASE IF NOT EXISTS baton",
                    "CREATE TABLE IF NOT EXISTS baton.heartbeat (server VARCHAR(64) PRIMARY KEY, at DATETIME(6))",
                    "REPLACE INTO baton.heartbeat VALUES (" + Sql.literal(master.name()) + ", NOW(6))");
            var path = fleet.writePath(deployment);
            if (path.isPresent() && !master.address().equals(path.get().target())) {
                throw new StepFailedException("the write path leads to "
                        + path.get().target() + ", not to " + master.name() + " at " + master.address());
            }
            return new MasterCheck(true, Sql.column(c, "SHOW DATABASES"));
        } catch (SQLException | IOException e) {
            throw new StepFailedException(master.name() + " does not take writes: " + e.getMessage());
        }
    }

    /**
     * Whether the server has applied {@code position} by the deadline. master_gtid_wait follows the replication
     * threads; transactions the server wrote itself (an old master taking its place back) are in its binlog
     * position instead, so that is compared too, domain by domain.
     */
    static boolean applied(Connection c, String position, long deadlineNanos)
            throws SQLException, InterruptedException {
        try {
            // each look waits up to 50 ms in the server itself
            Wait.forThe("GTID " + position + " to be applied", deadlineNanos)
                    .every(Duration.ofMillis(1))
                    .until(() -> covers(Sql.one(c, "SELECT @@gtid_binlog_pos"), position)
                            // 0: applied; -1: not within the wait
                            || "0".equals(Sql.one(c, "SELECT master_gtid_wait(" + Sql.literal(position) + ", 0.05)")));
            return true;
        } catch (Wait.Unfinished notInTime) {
            return false;
        }
    }

    /** Whether GTID position {@code have} includes {@code want}: per domain, a sequence number at least as high. */
    public static boolean covers(String have, String want) {
        java.util.Map<String, Long> had = new java.util.HashMap<>();
        for (String gtid : have == null || have.isBlank() ? new String[0] : have.split(",")) {
            String[] p = gtid.strip().split("-");
            had.merge(p[0], Long.parseLong(p[2]), Math::max);
        }
        for (String gtid : want == null || want.isBlank() ? new String[0] : want.split(",")) {
            String[] p = gtid.strip().split("-");
            if (had.getOrDefault(p[0], -1L) < Long.parseLong(p[2])) {
                return false;
            }
        }
        return true;
    }

    /** Ends every session but the replication threads and this one: read_only does not hold privileged users. */
    private static void endClientSessions(Connection c) throws SQLException {
        List<String> ids = Sql.column(
                c,
                "SELECT id FROM information_schema.PROCESSLIST WHERE id <> CONNECTION_ID()"
                        + " AND command NOT IN ('Binlog Dump', 'Daemon') AND user NOT IN ('system user', 'event_scheduler')");
        for (String id : ids) {
            try {
                Sql.exec(c, "KILL CONNECTION " + id);
            } catch (SQLException gone) {
                // it ended by itself
            }
        }
    }
}
