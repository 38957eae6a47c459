package io.baton.db.replication;

import io.baton.db.replication.ReplicationDriver.Node;
import io.baton.db.replication.ReplicationDriver.Switchover;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/** The record of each real switchover, in this service's database. */
@ApplicationScoped
public class Switchovers {

    private final Tx tx;

    public Switchovers(Tx tx) {
        this.tx = tx;
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
