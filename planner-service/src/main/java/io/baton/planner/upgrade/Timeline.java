package io.baton.planner.upgrade;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepStatus;
import io.baton.saga.Outbox;
import io.baton.saga.SagaListener;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The read model: every saga event updates the upgrade's timeline and state in the inbox transaction, and the planner
 * announces the end of an upgrade (completed, rolled back, failed) for the systems that react to it.
 */
@ApplicationScoped
public class Timeline implements SagaListener {

    private final Outbox outbox;

    public Timeline(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public Uni<Void> onEvent(Mutiny.Session s, String eventId, String type, SagaEvent e) {
        return s.find(UpgradeEntity.class, e.upgradeId(), LockModeType.PESSIMISTIC_WRITE)
                .chain(upgrade -> {
                    if (upgrade == null) {
                        return Uni.createFrom().voidItem();
                    }
                    Instant at = e.occurredAt() != null ? e.occurredAt() : Instant.now();
                    EventEntry entry = new EventEntry();
                    entry.upgradeId = e.upgradeId();
                    entry.eventId = eventId;
                    entry.type = type;
                    entry.step = e.step();
                    entry.at = at;
                    entry.reason = e.reason();
                    upgrade.lastEvent = Json.write(e);
                    upgrade.updatedAt = at;
                    Uni<Void> timeline = e.step() < 0
                            ? Uni.createFrom().voidItem()
                            : s.find(TimelineEntry.class, TimelineEntry.key(e.upgradeId(), e.step()))
                                    .invoke(t -> {
                                        if (t != null) {
                                            record(t, e, at);
                                        }
                                    })
                                    .replaceWithVoid();
                    return s.persist(entry).chain(() -> timeline).chain(() -> progress(s, upgrade, e, at));
                });
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
                t.details = withDetails(t.details, Map.of("reason", e.reason()));
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
                t.details = withDetails(t.details, Map.of("reason", e.reason()));
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

    private Uni<Void> progress(Mutiny.Session s, UpgradeEntity upgrade, SagaEvent e, Instant at) {
        UpgradeProgress progress = UpgradeProgress.after(upgrade.state, e);
        upgrade.failure = progress.failureAfter(upgrade.failure);
        upgrade.moveTo(progress.state(), at);
        if (progress.announce() == null) {
            return Uni.createFrom().voidItem();
        }
        return s.find(ActiveUpgrade.class, upgrade.deployment)
                .chain(lock -> lock != null && upgrade.id.equals(lock.upgradeId)
                        ? s.remove(lock)
                        : Uni.createFrom().voidItem())
                .chain(() -> outbox.add(s, e.next(progress.announce(), -1, upgrade.failure, e.slip(), Instant.now())));
    }
}
