package io.baton.db.replication.sim;

import io.baton.common.Wait;
import io.baton.db.replication.ReplicationDriver;
import io.baton.db.replication.ReplicationView;
import io.baton.saga.SagaRules;
import io.baton.saga.StepFailedException;
import io.baton.saga.Tx;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Replication modelled in this service's database: positions advance with time, replicas lag and catch up, a fence
 * freezes the master. Catch-up is really awaited and promotion is refused while the candidate is behind; the state
 * survives a restart of the service.
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.db.driver", stringValue = "sim")
public class SimReplication implements ReplicationDriver {

    /** How far behind its master a caught-up replica applies. */
    static final long APPLY_DELAY_MILLIS = 20;

    private final Tx tx;
    private final Duration catchUpTime;
    private final long writeRate;

    public SimReplication(
            Tx tx,
            @ConfigProperty(name = "baton.db.sim.catch-up-time") Duration catchUpTime,
            @ConfigProperty(name = "baton.db.sim.write-rate") long writeRate) {
        this.tx = tx;
        this.catchUpTime = catchUpTime;
        this.writeRate = writeRate;
    }

    @Override
    public CatchUp awaitCatchUp(String deployment, Node master, Node replica, Duration timeout, BooleanSupplier aborted)
            throws StepFailedException, InterruptedException {
        long started = System.currentTimeMillis();
        long target = tx.run(s -> ensureMaster(s, deployment, master)
                .chain(() -> ensureReplica(s, deployment, replica, master.id()))
                .chain(() -> positionAt(s, master.id(), Instant.now(), 0)));
        try {
            long applied = Wait.forThe(replica.name() + " to apply " + master.name() + "'s " + format(target), timeout)
                    .every(Duration.ofMillis(25))
                    .stopIf(aborted, SagaRules.ABORTED)
                    .untilValue(() -> {
                        long now = position(replica.id(), Instant.now());
                        return now >= target ? now : null;
                    });
            return new CatchUp(format(target), format(applied), System.currentTimeMillis() - started);
        } catch (Wait.Stopped e) {
            throw new StepFailedException(SagaRules.ABORTED + " while " + replica.name() + " was catching up");
        } catch (Wait.TimedOut e) {
            throw new StepFailedException(replica.name() + " did not catch up with " + master.name() + " within "
                    + timeout + ": applied " + format(position(replica.id(), Instant.now())) + " of "
                    + format(target));
        }
    }

    @Override
    public Switchover switchover(String deployment, Node oldMaster, Node candidate, Duration fenceTimeout)
            throws StepFailedException, InterruptedException {
        Instant fencedAt = Instant.now();
        // promoted before (the step runs again after a restart): the proof recorded then; otherwise, the fence
        Fence fence = tx.run(s -> s.find(SimNode.class, candidate.id()).chain(current -> {
            if (current != null && current.masterId == null && oldMaster.id().equals(current.promotedFrom)) {
                return Uni.createFrom()
                        .item(new Fence(
                                new Switchover(
                                        current.oldMasterFinalPosition,
                                        current.appliedAtPromotion,
                                        current.fenceMillis),
                                0));
            }
            return ensureMaster(s, deployment, oldMaster)
                    .chain(() -> s.find(SimNode.class, oldMaster.id()))
                    .map(m -> {
                        m.fencedAt = fencedAt;
                        return new Fence(null, positionOf(m, fencedAt));
                    });
        }));
        if (fence.done() != null) {
            return fence.done();
        }
        long finalPosition = fence.finalPosition();
        long appliedAtPromotion;
        try {
            appliedAtPromotion = Wait.forThe(candidate.name() + " to apply " + format(finalPosition), fenceTimeout)
                    .every(Duration.ofMillis(5))
                    .untilValue(() -> {
                        long now = position(candidate.id(), Instant.now());
                        return now >= finalPosition ? now : null;
                    });
        } catch (Wait.Unfinished e) {
            unfence(oldMaster.id());
            throw new StepFailedException("promotion refused: " + candidate.name() + " applied "
                    + format(position(candidate.id(), Instant.now())) + " of " + format(finalPosition)
                    + " within the " + fenceTimeout.toMillis() + " ms write fence; writes resumed on "
                    + oldMaster.name());
        }
        long fenceMillis = Duration.between(fencedAt, Instant.now()).toMillis();
        tx.run(s -> s.find(SimNode.class, candidate.id())
                .chain(c -> s.find(SimNode.class, oldMaster.id()).invoke(m -> {
                    Instant now = Instant.now();
                    c.masterId = null;
                    c.rate = m.rate;
                    c.basePosition = finalPosition;
                    c.baseAt = now;
                    c.fencedAt = null;
                    c.backlog = 0;
                    c.promotedFrom = m.id;
                    c.oldMasterFinalPosition = format(finalPosition);
                    c.appliedAtPromotion = format(appliedAtPromotion);
                    c.fenceMillis = fenceMillis;
                    // the old master follows the new one, ready to take over again on rollback
                    m.masterId = c.id;
                    m.promotedFrom = null;
                    m.fencedAt = null;
                    m.backlog = 0;
                    m.replicaSince = now;
                    m.catchUpAt = now;
                }))
                .chain(() -> writePath(s, deployment, candidate.id())));
        return new Switchover(format(finalPosition), format(appliedAtPromotion), fenceMillis);
    }

    @Override
    public MasterCheck verifyMaster(String deployment, Node master) throws StepFailedException {
        record Seen(SimNode node, WritePath path) {}
        Seen seen = tx.run(s -> s.find(SimNode.class, master.id())
                .chain(node -> s.find(WritePath.class, deployment).map(path -> new Seen(node, path))));
        SimNode node = seen.node();
        WritePath path = seen.path();
        if (node == null || node.masterId != null) {
            throw new StepFailedException(master.name() + " is not a master");
        }
        if (node.fencedAt != null) {
            throw new StepFailedException(master.name() + " does not take writes: it is fenced");
        }
        if (path == null || !master.id().equals(path.masterId)) {
            throw new StepFailedException("the write path does not lead to " + master.name());
        }
        return new MasterCheck(true, List.of("postgres", deployment));
    }

    /** Every deployment has a topology in the sim: the servers it met so far, none for one it never met. */
    @Override
    public Optional<ReplicationView> topology(String deployment) {
        Instant now = Instant.now();
        List<ReplicationView.Member> nodes = tx
                .run(s -> s.createSelectionQuery("from SimNode where deployment = :d order by name", SimNode.class)
                        .setParameter("d", deployment)
                        .getResultList())
                .stream()
                .map(n -> new ReplicationView.Member(
                        n.id, n.name, n.masterId, format(position(n.id, now)), n.fencedAt != null, null, true))
                .toList();
        return Optional.of(new ReplicationView(deployment, writePath(deployment), nodes));
    }

    /** Where writes go now: the id of the master, or null before the sim met the deployment. */
    public String writePath(String deployment) {
        WritePath path = tx.run(s -> s.find(WritePath.class, deployment));
        return path == null ? null : path.masterId;
    }

    public long position(String nodeId, Instant at) {
        return tx.run(s -> positionAt(s, nodeId, at, 0));
    }

    private Uni<Long> positionAt(Mutiny.Session s, String nodeId, Instant at, int depth) {
        return s.find(SimNode.class, nodeId).chain(n -> {
            if (n.masterId == null || depth > 4) {
                return Uni.createFrom().item(positionOf(n, at));
            }
            Instant upstreamAt = at.minusMillis(APPLY_DELAY_MILLIS);
            return positionAt(s, n.masterId, upstreamAt, depth + 1).map(upstream -> {
                long total = Math.max(
                        1, Duration.between(n.replicaSince, n.catchUpAt).toMillis());
                long left = Math.max(0, Duration.between(at, n.catchUpAt).toMillis());
                return Math.max(0, upstream - n.backlog * left / total);
            });
        });
    }

    private static long positionOf(SimNode master, Instant at) {
        Instant until = master.fencedAt != null && master.fencedAt.isBefore(at) ? master.fencedAt : at;
        long millis = Math.max(0, Duration.between(master.baseAt, until).toMillis());
        return master.basePosition + master.rate * millis / 1000;
    }

    /** The old master fenced at its final position, or the proof of a switchover done before. */
    private record Fence(Switchover done, long finalPosition) {}

    private Uni<Void> ensureMaster(Mutiny.Session s, String deployment, Node master) {
        return s.find(SimNode.class, master.id()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            SimNode n = new SimNode();
            n.id = master.id();
            n.deployment = deployment;
            n.name = master.name();
            n.rate = writeRate;
            n.basePosition = 1_000;
            n.baseAt = Instant.now();
            return s.persist(n).chain(() -> writePath(s, deployment, master.id()));
        });
    }

    private Uni<Void> ensureReplica(Mutiny.Session s, String deployment, Node replica, String masterId) {
        return s.find(SimNode.class, replica.id()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            Instant now = Instant.now();
            SimNode n = new SimNode();
            n.id = replica.id();
            n.deployment = deployment;
            n.name = replica.name();
            n.masterId = masterId;
            n.replicaSince = now;
            n.catchUpAt = now.plus(catchUpTime);
            // a new replica starts about as far behind as the master writes during the catch-up time
            n.backlog = Math.max(1, writeRate * Math.max(1, catchUpTime.toMillis()) / 1000);
            n.baseAt = now;
            return s.persist(n);
        });
    }

    private void unfence(String masterId) {
        tx.run(s -> s.find(SimNode.class, masterId).invoke(m -> {
            Instant now = Instant.now();
            m.basePosition = positionOf(m, now);
            m.baseAt = now;
            m.fencedAt = null;
        }));
    }

    private static Uni<Void> writePath(Mutiny.Session s, String deployment, String masterId) {
        return s.find(WritePath.class, deployment).chain(path -> {
            if (path == null) {
                WritePath created = new WritePath();
                created.deployment = deployment;
                created.masterId = masterId;
                return s.persist(created);
            }
            path.masterId = masterId;
            return Uni.createFrom().voidItem();
        });
    }

    private static String format(long position) {
        return "sim:" + position;
    }
}
