package io.baton.planner.upgrade;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.planner.notify.Notifications;
import io.baton.saga.Outbox;
import io.baton.saga.Received;
import io.baton.saga.Rows;
import io.baton.saga.SagaListener;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The read model: every saga event updates the upgrade's timeline and state in the inbox transaction, and the planner
 * announces the end of an upgrade (completed, rolled back, failed) for the systems that react to it. A poll's events
 * are applied together: their upgrades (locked) and timelines read in two queries, their entries written in one.
 */
@ApplicationScoped
public class Timeline implements SagaListener {

    private final Outbox outbox;
    private final Notifications notifications;

    public Timeline(Outbox outbox, Notifications notifications) {
        this.outbox = outbox;
        this.notifications = notifications;
    }

    @Override
    public Uni<Void> onEvents(Mutiny.Session s, List<Received> events) {
        List<String> ids = events.stream()
                .map(e -> e.event().upgradeId())
                .distinct()
                .sorted()
                .toList();
        return s.createSelectionQuery("from UpgradeEntity where id in :ids order by id", UpgradeEntity.class)
                .setParameter("ids", ids)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList()
                .chain(upgrades -> s.createSelectionQuery(
                                "from TimelineEntry where upgradeId in :ids", TimelineEntry.class)
                        .setParameter("ids", ids)
                        .getResultList()
                        .chain(steps -> apply(s, events, upgrades, steps)));
    }

    private Uni<Void> apply(
            Mutiny.Session s, List<Received> events, List<UpgradeEntity> upgrades, List<TimelineEntry> steps) {
        Map<String, UpgradeEntity> byId = new HashMap<>();
        upgrades.forEach(u -> byId.put(u.id, u));
        Map<String, TimelineEntry> timeline = new HashMap<>();
        steps.forEach(t -> timeline.put(t.id, t));
        List<Received> known = new ArrayList<>();
        List<Uni<Void>> endings = new ArrayList<>();
        Map<UpgradeEntity, SagaEvent> last = new LinkedHashMap<>();
        for (Received r : events) {
            SagaEvent e = r.event();
            UpgradeEntity upgrade = byId.get(e.upgradeId());
            if (upgrade == null) {
                continue;
            }
            known.add(r);
            Instant at = at(e);
            last.put(upgrade, e);
            upgrade.updatedAt = at;
            TimelineEntry t = e.step() < 0 ? null : timeline.get(TimelineEntry.key(e.upgradeId(), e.step()));
            if (t != null) {
                record(t, e, at);
            }
            UpgradeProgress progress = UpgradeProgress.after(upgrade.state, e);
            upgrade.failure = progress.failureAfter(upgrade.failure);
            UpgradeState before = upgrade.state;
            upgrade.moveTo(progress.state(), at);
            if (upgrade.state != before) {
                // the webhooks' deliveries, in this transaction: told once, never lost
                endings.add(notifications.upgradeMoved(s, upgrade));
            }
            if (progress.announce() != null) {
                SagaEvent end = e.next(progress.announce(), -1, upgrade.failure, e.slip(), Instant.now());
                endings.add(release(s, upgrade).chain(() -> outbox.add(s, end)));
            }
        }
        // an abort starts from the newest slip the planner saw
        last.forEach((upgrade, e) -> upgrade.lastEvent = Json.write(e));
        return insertEntries(s, known).chain(() -> sequentially(endings));
    }

    /**
     * Who asked for the event, only where a person can: the consumer lets only the planner say these, so no other
     * service can put a name on the audit.
     */
    private static String actor(SagaEvent e) {
        boolean asked =
                switch (e.phase()) {
                    case REQUESTED, ABORT_REQUESTED -> true;
                    case STEP_COMPLETED -> e.slip().step(e.step()).name() == StepName.APPROVAL;
                    default -> false;
                };
        return asked ? e.actor() : null;
    }

    private static Instant at(SagaEvent e) {
        return e.occurredAt() != null ? e.occurredAt() : Instant.now();
    }

    /** The upgrade no longer holds its deployment: another may start. */
    static Uni<Void> release(Mutiny.Session s, UpgradeEntity upgrade) {
        // a statement, not s.remove: the outbox's IDENTITY inserts follow in this session (see cloud's
        // Snapshots.delete for what a removed entity did to them)
        return s.createMutationQuery("delete from ActiveUpgrade where deployment = :d and upgradeId = :u")
                .setParameter("d", upgrade.deployment)
                .setParameter("u", upgrade.id)
                .executeUpdate()
                .replaceWithVoid();
    }

    /** Every event of the poll into the upgrades' event lists, in one statement. */
    private static Uni<Void> insertEntries(Mutiny.Session s, List<Received> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String sql = "insert into upgrade_event (upgrade_id, event_id, type, step, at, reason, actor) values "
                + Rows.placeholders(events.size(), 7);
        var insert = s.createNativeQuery(sql);
        for (int i = 0; i < events.size(); i++) {
            SagaEvent e = events.get(i).event();
            insert.setParameter(i * 7 + 1, e.upgradeId());
            insert.setParameter(i * 7 + 2, events.get(i).eventId());
            insert.setParameter(i * 7 + 3, events.get(i).type());
            insert.setParameter(i * 7 + 4, e.step());
            insert.setParameter(i * 7 + 5, at(e));
            insert.setParameter(i * 7 + 6, e.reason());
            insert.setParameter(i * 7 + 7, actor(e));
        }
        return insert.executeUpdate().replaceWithVoid();
    }

    private static Uni<Void> sequentially(List<Uni<Void>> work) {
        return work.isEmpty()
                ? Uni.createFrom().voidItem()
                : Multi.createFrom()
                        .iterable(work)
                        .onItem()
                        .transformToUniAndConcatenate(u -> u.replaceWith(Boolean.TRUE))
                        .collect()
                        .last()
                        .replaceWithVoid();
    }

    private static void record(TimelineEntry t, SagaEvent e, Instant at) {
        switch (e.phase()) {
            case STEP_STARTED -> {
                t.outcome = StepOutcome.RUNNING;
                t.startedAt = at;
            }
            case STEP_COMPLETED -> {
                t.outcome = StepOutcome.COMPLETED;
                t.endedAt = at;
                t.details = Json.write(e.slip().facts());
            }
            case STEP_FAILED -> {
                // aborted after the step completed: it stays completed and is undone next;
                // aborted before it started: it never ran
                StepStatus status = e.slip().step(e.step()).status();
                t.outcome = switch (status) {
                    case COMPLETED -> StepOutcome.COMPLETED;
                    case PENDING -> StepOutcome.NOT_RUN;
                    default -> StepOutcome.FAILED;
                };
                if (status != StepStatus.PENDING) {
                    t.endedAt = at;
                }
                t.details = withDetails(t.details, Collections.singletonMap("reason", e.reason()));
            }
            case COMPENSATION_STARTED -> {
                t.outcome = StepOutcome.COMPENSATING;
                t.compensationStartedAt = at;
            }
            case STEP_COMPENSATED -> {
                t.outcome = StepOutcome.COMPENSATED;
                t.compensatedAt = at;
                // what the undo found out (the proof of a switch back) joins what the step found out
                t.details = withDetails(t.details, e.slip().facts());
            }
            case COMPENSATION_FAILED -> {
                t.outcome = StepOutcome.COMPENSATION_FAILED;
                t.details = withDetails(t.details, Collections.singletonMap("reason", e.reason()));
            }
            default -> {}
        }
    }

    private static String withDetails(String json, Map<String, String> more) {
        Map<String, String> details = new LinkedHashMap<>(details(json));
        details.putAll(more);
        return Json.write(details);
    }

    static Map<String, String> details(String json) {
        return json == null ? Map.of() : Json.read(json, new TypeReference<Map<String, String>>() {});
    }
}
