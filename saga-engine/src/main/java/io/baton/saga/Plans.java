package io.baton.saga;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The plan of each upgrade as the planner's request said it: its deployment, its kind, each step with its owner,
 * whether it can be undone and which is the pivot, and what the operator asked for (the topology of the pair
 * included). Every event carries the whole plan; one whose plan differs from the recorded one (a step added, an owner
 * changed, another master named) is refused, whoever sent it, and goes to the dead-letter topic with the reason; one
 * of an upgrade never requested is never acted on.
 */
@ApplicationScoped
public class Plans {

    private static final Logger LOG = Logger.getLogger(Plans.class);

    /** Thrown for an event whose plan is not the one this service recorded: not worth trying again. */
    public static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper CANONICAL =
            Json.mapper().copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** What of an event must never change during its upgrade. */
    record Shape(String deployment, String kind, List<String> steps, Object spec) {}

    /**
     * Which of these events this service may act on, in order, in the caller's transaction. The planner's word
     * (its {@code upgrade-requested}, as a rule; an abort or an end that overtook it is the planner's too) records
     * its upgrade's plan; any other event must carry the plan recorded, or the
     * whole poll fails with {@link Mismatch} naming it (the consumer then dead-letters that one). An event of an
     * upgrade whose request this service has not seen is parked, not acted on: topics are read in no set order, so
     * it is acted on right after the request comes (here, or at the next {@link ParkedEvents} sweep), and
     * dead-lettered if the request never does. A parked event with another plan than its request's is added to
     * {@code refused}, for the caller to dead-letter once the transaction commits.
     */
    public Uni<List<Received>> admit(Mutiny.Session s, List<Received> events, List<Received> refused) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> ids =
                events.stream().map(e -> e.event().upgradeId()).distinct().toList();
        return recorded(s, ids).chain(known -> {
            List<Plan> fresh = new ArrayList<>();
            List<Received> admitted = new ArrayList<>();
            List<Received> parked = new ArrayList<>();
            for (Received e : events) {
                Plan plan = plan(e.event());
                String recorded = known.get(plan.upgradeId());
                if (recorded == null && SagaConsumer.speakerOf(e.event()) == Owner.PLANNER) {
                    known.put(plan.upgradeId(), plan.digest());
                    fresh.add(plan);
                    admitted.add(e);
                } else if (recorded == null) {
                    parked.add(e);
                } else if (recorded.equals(plan.digest())) {
                    admitted.add(e);
                } else {
                    return Uni.createFrom().failure(mismatch(e));
                }
            }
            List<String> requested = fresh.stream().map(Plan::upgradeId).toList();
            return insert(s, fresh)
                    .chain(() -> park(s, parked))
                    .chain(() -> unpark(s, requested))
                    .map(waiting -> {
                        admitted.addAll(matching(waiting, known, refused));
                        return admitted;
                    });
        });
    }

    /** The events (taken out of parking) that carry their upgrade's recorded plan; the others go to {@code refused}. */
    static List<Received> matching(List<Received> events, Map<String, String> known, List<Received> refused) {
        List<Received> ok = new ArrayList<>();
        for (Received e : events) {
            if (plan(e.event()).digest().equals(known.get(e.event().upgradeId()))) {
                ok.add(e);
            } else {
                refused.add(e);
            }
        }
        return ok;
    }

    /** The recorded plans' digests of these upgrades. */
    Uni<Map<String, String>> recorded(Mutiny.Session s, List<String> upgradeIds) {
        return s.createNativeQuery(
                        "select upgrade_id, digest from saga_plan where upgrade_id in (:ids)", Object[].class)
                .setParameter("ids", upgradeIds)
                .getResultList()
                .map(rows -> {
                    Map<String, String> known = new HashMap<>();
                    rows.forEach(r -> known.put((String) r[0], (String) r[1]));
                    return known;
                });
    }

    static Mismatch mismatch(Received e) {
        return new Mismatch("event " + e.eventId() + " (" + e.type() + ") carries another plan for upgrade "
                + e.event().upgradeId() + " than the one this service recorded (deployment, kind, steps, owners or"
                + " request differ); not acted on");
    }

    private static Uni<Void> park(Mutiny.Session s, List<Received> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        events.forEach(e -> LOG.infof(
                "event %s (%s) of upgrade %s waits for the upgrade's request",
                e.eventId(), e.type(), e.event().upgradeId()));
        String sql = "insert into parked_event (event_id, upgrade_id, topic, type, payload, parked_at) values "
                + Rows.placeholders(events.size(), 6) + " on conflict (event_id) do nothing";
        var insert = s.createNativeQuery(sql);
        Instant now = Instant.now();
        for (int i = 0; i < events.size(); i++) {
            Received e = events.get(i);
            insert.setParameter(i * 6 + 1, e.eventId());
            insert.setParameter(i * 6 + 2, e.event().upgradeId());
            insert.setParameter(i * 6 + 3, e.topic());
            insert.setParameter(i * 6 + 4, e.type());
            insert.setParameter(i * 6 + 5, Json.write(e.event()));
            insert.setParameter(i * 6 + 6, now);
        }
        return insert.executeUpdate().replaceWithVoid();
    }

    /**
     * Takes out the parked events of these upgrades, oldest first: whoever deletes a row acts on it, so a poll and a
     * sweep never both do.
     */
    Uni<List<Received>> unpark(Mutiny.Session s, List<String> upgradeIds) {
        if (upgradeIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return s.createNativeQuery(
                        "delete from parked_event where upgrade_id in (:ids)"
                                + " returning event_id, type, payload, topic, seq",
                        Object[].class)
                .setParameter("ids", upgradeIds)
                .getResultList()
                .map(Plans::received);
    }

    /** Parked rows (event_id, type, payload, topic, seq) as events, in the order they came. */
    static List<Received> received(List<Object[]> rows) {
        List<Object[]> sorted = new ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparingLong(r -> ((Number) r[4]).longValue()));
        List<Received> events = new ArrayList<>();
        for (Object[] r : sorted) {
            events.add(new Received(
                    (String) r[0], (String) r[1], Json.read((String) r[2], SagaEvent.class), (String) r[3]));
        }
        return events;
    }

    /** An upgrade's plan as one event carries it, with its digest. */
    private record Plan(String upgradeId, Shape shape, String digest) {}

    private static Uni<Void> insert(Mutiny.Session s, List<Plan> fresh) {
        if (fresh.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String sql = "insert into saga_plan (upgrade_id, deployment, digest, steps, seen_at) values "
                + Rows.placeholders(fresh.size(), 5) + " on conflict (upgrade_id) do nothing";
        var insert = s.createNativeQuery(sql);
        Instant now = Instant.now();
        for (int i = 0; i < fresh.size(); i++) {
            Plan plan = fresh.get(i);
            insert.setParameter(i * 5 + 1, plan.upgradeId());
            insert.setParameter(i * 5 + 2, plan.shape().deployment());
            insert.setParameter(i * 5 + 3, plan.digest());
            insert.setParameter(i * 5 + 4, String.join(",", plan.shape().steps()));
            insert.setParameter(i * 5 + 5, now);
        }
        return insert.executeUpdate().replaceWithVoid();
    }

    private static Plan plan(SagaEvent e) {
        Shape shape = shape(e);
        return new Plan(e.upgradeId(), shape, digest(shape));
    }

    static Shape shape(SagaEvent e) {
        List<String> steps = new ArrayList<>();
        for (SlipStep step : e.slip().steps()) {
            steps.add(step.index() + ":" + step.name() + ":" + step.owner() + ":" + step.compensable() + ":"
                    + step.pivot());
        }
        return new Shape(e.deployment(), String.valueOf(e.kind()), steps, e.spec());
    }

    /** A SHA-256 of the plan in a canonical JSON form (map entries sorted). */
    static String digest(Shape shape) {
        try {
            byte[] json = CANONICAL.writeValueAsString(shape).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("cannot digest a plan", ex);
        }
    }
}
