package io.baton.saga;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.baton.contracts.Json;
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

/**
 * The plan of each upgrade as this service first saw it: its deployment, its kind, each step with its owner, whether
 * it can be undone and which is the pivot, and what the operator asked for (the topology of the pair included). Every
 * event carries the whole plan; one whose plan differs from the recorded one (a step added, an owner changed, another
 * master named) is refused, whoever sent it, and goes to the dead-letter topic with the reason.
 */
@ApplicationScoped
public class Plans {

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
     * Records the plan of each upgrade seen for the first time and checks every event against its upgrade's plan, in
     * the caller's transaction; fails with {@link Mismatch} naming the first event that differs.
     */
    public Uni<Void> check(Mutiny.Session s, List<Received> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> ids =
                events.stream().map(e -> e.event().upgradeId()).distinct().toList();
        return s.createNativeQuery(
                        "select upgrade_id, digest from saga_plan where upgrade_id in (:ids)", Object[].class)
                .setParameter("ids", ids)
                .getResultList()
                .chain(rows -> {
                    Map<String, String> known = new HashMap<>();
                    rows.forEach(r -> known.put((String) r[0], (String) r[1]));
                    List<Plan> fresh = new ArrayList<>();
                    for (Received e : events) {
                        Plan plan = plan(e.event());
                        String recorded = known.putIfAbsent(plan.upgradeId(), plan.digest());
                        if (recorded == null) {
                            fresh.add(plan);
                        } else if (!recorded.equals(plan.digest())) {
                            return Uni.createFrom()
                                    .failure(new Mismatch("event " + e.eventId() + " (" + e.type() + ") carries another"
                                            + " plan for upgrade " + plan.upgradeId() + " than the one this service"
                                            + " first saw (deployment, kind, steps, owners or request differ); not"
                                            + " acted on"));
                        }
                    }
                    return insert(s, fresh);
                });
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
