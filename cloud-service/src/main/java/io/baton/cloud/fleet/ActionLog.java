package io.baton.cloud.fleet;

import io.baton.saga.Tx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** The log of instance actions: what an auditor, or a test for "nothing ran twice", reads. */
@ApplicationScoped
public class ActionLog {

    public record Action(String upgradeId, String action, String target, Instant at) {}

    private final Tx tx;

    public ActionLog(Tx tx) {
        this.tx = tx;
    }

    public void log(String upgradeId, String deployment, String action, String target) {
        tx.run(s -> s.persist(ActionEntity.of(upgradeId, deployment, action, target)));
    }

    /** The actions an upgrade caused, in order. */
    public List<Action> of(String upgradeId) {
        return tx
                .run(s -> s.createSelectionQuery(
                                "from ActionEntity where upgradeId = :u order by id", ActionEntity.class)
                        .setParameter("u", upgradeId)
                        .getResultList())
                .stream()
                .map(a -> new Action(a.upgradeId, a.action, a.target, a.at))
                .toList();
    }
}
