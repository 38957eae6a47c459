package io.baton.planner.upgrade;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.saga.Outbox;
import io.baton.saga.SagaEngine;
import io.baton.saga.SagaListener;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The read model: every saga event updates the upgrade's timeline and state in the inbox transaction, and the planner
 * announces the end of an upgrade (completed, rolled back, failed) for the systems that react to it.
 */
@ApplicationScoped
public class PlannerListener implements SagaListener {

    private static final Logger LOG = Logger.getLogger(PlannerListener.class);

    private final Outbox outbox;

    public PlannerListener(Outbox outbox) {
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
                            : s.find(TimelineEntry.class, e.upgradeId() + "/" + e.step())
                                    .invoke(t -> {
                                        if (t != null) {
                                            record(t, e, at);
                                        }
                                    })
                                    .replaceWithVoid();
                    return s.persist(entry).chain(() -> timeline).chain(() -> decide(s, upgrade, e, at));
                });
    }

    private static void record(TimelineEntry t, SagaEvent e, Instant at) {
        switch (e.phase()) {
            case STEP_STARTED -> {
                t.outcome = "RUNNING";
                t.startedAt = at;
            }
            case STEP_COMPLETED -> {
                t.outcome = "COMPLETED";
                t.endedAt = at;
                t.details = Json.write(e.slip().facts());
            }
            case STEP_FAILED -> {
                // aborted after the step completed: it stays completed and is undone next;
                // aborted before it started: it never ran
                StepStatus status = e.slip().step(e.step()).status();
                t.outcome = switch (status) {
                    case COMPLETED -> "COMPLETED";
                    case PENDING -> "NOT_RUN";
                    default -> "FAILED";
                };
                if (status != StepStatus.PENDING) {
                    t.endedAt = at;
                }
                Map<String, String> details = new LinkedHashMap<>(read(t.details));
                details.put("reason", e.reason());
                t.details = Json.write(details);
            }
            case COMPENSATION_STARTED -> {
                t.outcome = "COMPENSATING";
                t.compensationStartedAt = at;
            }
            case STEP_COMPENSATED -> {
                t.outcome = "COMPENSATED";
                t.compensatedAt = at;
                // what the undo found out (the proof of a switch back) joins what the step found out
                Map<String, String> details = new LinkedHashMap<>(read(t.details));
                details.putAll(e.slip().facts());
                t.details = Json.write(details);
            }
            case COMPENSATION_FAILED -> {
                t.outcome = "COMPENSATION_FAILED";
                Map<String, String> details = new LinkedHashMap<>(read(t.details));
                details.put("reason", e.reason());
                t.details = Json.write(details);
            }
            default -> {}
        }
    }

    static Map<String, String> read(String json) {
        return json == null ? Map.of() : Json.read(json, new TypeReference<Map<String, String>>() {});
    }

    private Uni<Void> decide(Mutiny.Session s, UpgradeEntity upgrade, SagaEvent e, Instant at) {
        if (upgrade.state.terminal()) {
            return Uni.createFrom().voidItem();
        }
        StepName step = e.step() >= 0 ? e.slip().step(e.step()).name() : null;
        switch (e.phase()) {
            case STEP_STARTED:
                if (step == StepName.APPROVAL) {
                    move(upgrade, UpgradeState.AWAITING_APPROVAL, at);
                }
                return Uni.createFrom().voidItem();
            case STEP_COMPLETED:
                if (step == StepName.APPROVAL) {
                    move(upgrade, UpgradeState.RUNNING, at);
                }
                if (e.step() == e.slip().steps().size() - 1) {
                    return finish(s, upgrade, e, UpgradeState.COMPLETED, Phase.UPGRADE_COMPLETED, null, at);
                }
                return Uni.createFrom().voidItem();
            case STEP_FAILED:
            case STEP_COMPENSATED:
                if (upgrade.failure == null && e.reason() != null) {
                    upgrade.failure = e.slip().step(e.step()).name() + ": " + e.reason();
                }
                boolean pivotStarted =
                        e.slip().steps().stream().anyMatch(x -> x.pivot() && x.status() != StepStatus.PENDING);
                if (pivotStarted) {
                    return finish(
                            s,
                            upgrade,
                            e,
                            UpgradeState.FAILED,
                            Phase.UPGRADE_FAILED,
                            "the pivot failed: the old servers may be partly terminated; finish it by hand",
                            at);
                }
                move(upgrade, UpgradeState.ROLLING_BACK, at);
                if (SagaEngine.rollbackTarget(e.slip()).isEmpty()) {
                    return finish(s, upgrade, e, UpgradeState.ROLLED_BACK, Phase.UPGRADE_ROLLED_BACK, null, at);
                }
                return Uni.createFrom().voidItem();
            case COMPENSATION_FAILED:
                return finish(s, upgrade, e, UpgradeState.FAILED, Phase.UPGRADE_FAILED, e.reason(), at);
            default:
                return Uni.createFrom().voidItem();
        }
    }

    private Uni<Void> finish(
            Mutiny.Session s,
            UpgradeEntity upgrade,
            SagaEvent e,
            UpgradeState state,
            Phase phase,
            String failure,
            Instant at) {
        if (!upgrade.state.canMoveTo(state)) {
            LOG.warnf("upgrade %s stays %s: an event asked for %s", upgrade.id, upgrade.state, state);
            return Uni.createFrom().voidItem();
        }
        upgrade.moveTo(state, at);
        if (failure != null) {
            upgrade.failure = failure;
        }
        return s.find(ActiveUpgrade.class, upgrade.deployment)
                .chain(lock -> lock != null && upgrade.id.equals(lock.upgradeId)
                        ? s.remove(lock)
                        : Uni.createFrom().voidItem())
                .chain(() -> outbox.add(s, e.next(phase, -1, upgrade.failure, e.slip(), Instant.now())));
    }

    private static void move(UpgradeEntity upgrade, UpgradeState next, Instant at) {
        if (upgrade.state.canMoveTo(next)) {
            upgrade.moveTo(next, at);
        } else if (upgrade.state != next) {
            LOG.warnf("upgrade %s stays %s: an event asked for %s", upgrade.id, upgrade.state, next);
        }
    }
}
