package io.baton.planner.notify;

import io.baton.contracts.Json;
import io.baton.planner.upgrade.UpgradeEntity;
import io.baton.planner.upgrade.UpgradeState;
import io.baton.saga.Traces;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * What the webhooks are told: an upgrade waits for approval, completed, rolled back or failed. A delivery per webhook
 * is written in the transaction that moved the upgrade, so a notification is never lost with a crash nor made twice
 * by a redelivered event; {@link WebhookSender} sends them.
 */
@ApplicationScoped
public class Notifications {

    /** The states worth telling someone about, with the CloudEvents type of each. */
    private static final Map<UpgradeState, String> TYPES = Map.of(
            UpgradeState.AWAITING_APPROVAL, "baton.upgrade.awaiting-approval.v1",
            UpgradeState.COMPLETED, "baton.upgrade.completed.v1",
            UpgradeState.ROLLED_BACK, "baton.upgrade.rolled-back.v1",
            UpgradeState.FAILED, "baton.upgrade.failed.v1");

    private final Tx tx;
    private final Traces traces;

    public Notifications(Tx tx, Traces traces) {
        this.tx = tx;
        this.traces = traces;
    }

    /**
     * The root span of the upgrade's trace, sent once the upgrade has ended: from its request to its end, with the id
     * every service's spans already name as their parent.
     */
    static Traces.Span rootSpan(UpgradeEntity u) {
        return new Traces.Span(
                u.id,
                Traces.rootSpanId(u.id),
                null,
                "upgrade " + u.kind.name().toLowerCase(Locale.ROOT) + " " + u.deployment,
                Traces.Kind.INTERNAL,
                u.createdAt,
                u.endedAt != null ? u.endedAt : Instant.now(),
                Traces.attributes(
                        "baton.deployment",
                        u.deployment,
                        "baton.upgrade.kind",
                        u.kind.name(),
                        "baton.upgrade.state",
                        u.state.name(),
                        "baton.upgrade.requested-by",
                        u.requestedBy),
                u.state == UpgradeState.COMPLETED ? null : u.state + ": " + u.failure);
    }

    public static List<String> types() {
        return TYPES.values().stream().sorted().toList();
    }

    /**
     * Queues a delivery to every webhook of the upgrade's deployment and every global one, when the upgrade has just
     * moved to a state worth telling; in {@code s}'s transaction. The payload is taken now, as the upgrade stands.
     */
    public Uni<Void> upgradeMoved(Mutiny.Session s, UpgradeEntity u) {
        if (u.state.terminal()) {
            Traces.Span root = rootSpan(u);
            tx.afterCommit(s, () -> traces.record(root));
        }
        String type = TYPES.get(u.state);
        if (type == null) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("upgradeId", u.id);
        data.put("deployment", u.deployment);
        data.put("kind", u.kind.name().toLowerCase(Locale.ROOT));
        data.put("state", u.state.name());
        data.put("classification", u.classification == null ? null : u.classification.name());
        data.put("failure", u.failure);
        data.put("requestedBy", u.requestedBy);
        data.put("approvedBy", u.approvedBy);
        data.put("abortedBy", u.abortedBy);
        data.put("createdAt", u.createdAt);
        data.put("endedAt", u.endedAt);
        data.put("links", Map.of("upgrade", "/upgrades/" + u.id, "approve", "/upgrades/" + u.id + "/approve"));
        String payload = Json.write(data);
        String eventId = u.id + "/" + u.state.name().toLowerCase(Locale.ROOT);
        Instant now = Instant.now();
        // one delivery per webhook and event: a state reached again (it should not be) adds nothing, rather than
        // failing the transaction that records the saga's events
        return s.createNativeQuery(
                        "insert into webhook_delivery (webhook_id, event_id, type, upgrade_id, payload, created_at,"
                                + " attempts, next_attempt_at)"
                                + " select id, :event, :type, :upgrade, :payload, :at, 0, :now from webhook"
                                + " where deployment is null or deployment = :deployment"
                                + " on conflict (webhook_id, event_id) do nothing")
                .setParameter("event", eventId)
                .setParameter("type", type)
                .setParameter("upgrade", u.id)
                .setParameter("payload", payload)
                .setParameter("at", u.updatedAt != null ? u.updatedAt : now)
                .setParameter("now", now)
                .setParameter("deployment", u.deployment)
                .executeUpdate()
                .replaceWithVoid();
    }
}
