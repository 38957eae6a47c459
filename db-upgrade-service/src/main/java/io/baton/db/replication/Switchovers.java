package io.baton.db.replication;

import io.baton.contracts.StepName;
import io.baton.db.replication.ReplicationDriver.Node;
import io.baton.db.replication.ReplicationDriver.Switchover;
import io.baton.saga.FaultInjector;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The record of each real switchover, in this service's database: its proof once done, and, while it runs, the part
 * it has begun. A switchover records {@link #FENCING} before it holds writes and {@link #PROMOTING} before it promotes
 * the candidate, each before it acts: one found FENCING by a restarted (or another) replica never promoted anything,
 * so its writes go back to the old master; one found PROMOTING goes forward, as the candidate has everything.
 */
@ApplicationScoped
public class Switchovers {

    /** Writes are being held (or about to be) and the old master stopped or fenced; nothing promoted. */
    public static final String FENCING = "FENCING";

    /** The candidate has applied the old master's last write and is being promoted: only forward from here. */
    public static final String PROMOTING = "PROMOTING";

    private final Tx tx;
    private final FaultInjector faults;

    public Switchovers(Tx tx, FaultInjector faults) {
        this.tx = tx;
        this.faults = faults;
    }

    /** The part of an unfinished switchover begun last, if one was. */
    public Optional<String> phase(Node from, Node to) {
        SwitchoverRecord r = find(from, to);
        return r == null || r.completedAt != null ? Optional.empty() : Optional.ofNullable(r.phase);
    }

    /** Records that a part begins, before it is taken; a drill may stop the process right after (see crashAt). */
    public void begin(String deployment, Node from, Node to, String phase) {
        change(deployment, from, to, r -> r.phase = phase);
        reached(deployment, phase.toLowerCase(java.util.Locale.ROOT));
    }

    /** An attempt was interrupted and its writes given back: counts it, and returns how many there were. */
    public int interrupted(String deployment, Node from, Node to) {
        int[] count = new int[1];
        change(deployment, from, to, r -> {
            r.phase = null;
            r.oldMasterFinalPosition = null;
            count[0] = ++r.interruptions;
        });
        return count[0];
    }

    /** A point of a switchover: where a drill's rule may halt this process, as kill -9 would. */
    public void reached(String deployment, String point) {
        faults.crashPoint(StepName.PROMOTE, deployment, point);
    }

    /** The proof of a switchover that completed before. */
    public Optional<Switchover> completed(Node from, Node to) {
        SwitchoverRecord r = find(from, to);
        return r == null || r.completedAt == null
                ? Optional.empty()
                : Optional.of(new Switchover(r.oldMasterFinalPosition, r.newMasterAppliedPosition, r.fenceMillis));
    }

    /** The old master's final position, when a switchover that did not complete found it. */
    public Optional<String> finalPosition(Node from, Node to) {
        return Optional.ofNullable(find(from, to)).map(r -> r.oldMasterFinalPosition);
    }

    public void finalPosition(String deployment, Node from, Node to, String position) {
        change(deployment, from, to, r -> r.oldMasterFinalPosition = position);
    }

    public Switchover complete(String deployment, Node from, Node to, Switchover proof) {
        change(deployment, from, to, r -> {
            r.oldMasterFinalPosition = proof.oldMasterFinalPosition();
            r.newMasterAppliedPosition = proof.newMasterAppliedPosition();
            r.fenceMillis = proof.fenceMillis();
            r.completedAt = Instant.now();
            r.phase = null;
        });
        return proof;
    }

    private SwitchoverRecord find(Node from, Node to) {
        return tx.run(s -> s.find(SwitchoverRecord.class, id(from, to)));
    }

    private void change(String deployment, Node from, Node to, Consumer<SwitchoverRecord> change) {
        tx.run(s -> s.find(SwitchoverRecord.class, id(from, to)).chain(r -> {
            if (r != null) {
                change.accept(r);
                return Uni.createFrom().voidItem();
            }
            SwitchoverRecord created = new SwitchoverRecord();
            created.id = id(from, to);
            created.deployment = deployment;
            change.accept(created);
            return s.persist(created);
        }));
    }

    private static String id(Node from, Node to) {
        return from.id() + "->" + to.id();
    }
}
