package io.baton.planner.upgrade;

import io.baton.planner.api.UpgradeView;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Reading upgrades: one with its timeline, or the newest of a deployment or a state. */
@ApplicationScoped
public class UpgradeQueries {

    private final Tx tx;

    public UpgradeQueries(Tx tx) {
        this.tx = tx;
    }

    public UpgradeView view(String id) {
        return tx.run(s -> s.find(UpgradeEntity.class, id).chain(u -> {
            if (u == null) {
                return Uni.createFrom().failure(UpgradeProblems.unknown(id));
            }
            return s.createSelectionQuery(
                            "from TimelineEntry where upgradeId = :u order by stepIndex", TimelineEntry.class)
                    .setParameter("u", id)
                    .getResultList()
                    .chain(steps -> s.createSelectionQuery(
                                    "from EventEntry where upgradeId = :u order by id", EventEntry.class)
                            .setParameter("u", id)
                            .getResultList()
                            .map(events -> view(u, steps, events)));
        }));
    }

    public List<UpgradeView> list(String deployment, UpgradeState state) {
        StringBuilder hql = new StringBuilder("select id from UpgradeEntity where 1 = 1");
        if (deployment != null) {
            hql.append(" and deployment = :d");
        }
        if (state != null) {
            hql.append(" and state = :st");
        }
        hql.append(" order by createdAt desc");
        List<String> ids = tx.run(s -> {
            var query = s.createSelectionQuery(hql.toString(), String.class).setMaxResults(200);
            if (deployment != null) {
                query.setParameter("d", deployment);
            }
            if (state != null) {
                query.setParameter("st", state);
            }
            return query.getResultList();
        });
        return ids.stream().map(this::view).toList();
    }

    private static UpgradeView view(UpgradeEntity u, List<TimelineEntry> steps, List<EventEntry> events) {
        return new UpgradeView(
                u.id,
                u.deployment,
                u.kind,
                u.state.name(),
                u.classification,
                u.reason,
                u.failure,
                u.requestedBy,
                u.approvedBy,
                u.abortedBy,
                u.createdAt,
                u.updatedAt,
                u.endedAt,
                steps.stream()
                        .map(t -> new UpgradeView.StepView(
                                t.stepIndex,
                                t.name,
                                t.owner,
                                t.pivot,
                                t.outcome,
                                t.startedAt,
                                t.endedAt,
                                t.compensationStartedAt,
                                t.compensatedAt,
                                Timeline.details(t.details)))
                        .toList(),
                events.stream()
                        .map(e -> new UpgradeView.EventView(e.at, e.type, e.step, e.reason, e.actor))
                        .toList());
    }
}
