package io.baton.planner.upgrade;

import io.baton.planner.api.UpgradeView;
import io.baton.saga.Tx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** Reading upgrades: one with its timeline, or a page of those of a deployment or a state, newest first. */
@ApplicationScoped
public class UpgradeQueries {

    private final Tx tx;

    public UpgradeQueries(Tx tx) {
        this.tx = tx;
    }

    public UpgradeView view(String id) {
        List<UpgradeView> found = views(List.of(id));
        if (found.isEmpty()) {
            throw UpgradeProblems.unknown(id);
        }
        return found.get(0);
    }

    /** One page of upgrades, newest first, and where the next one starts (null on the last page). */
    public record Page(List<UpgradeView> upgrades, Cursor next) {}

    /**
     * A position in the list, after the upgrade created at {@code createdAt} with id {@code id}: the list is ordered
     * by both, so a page never repeats or skips an upgrade when others start meanwhile.
     */
    public record Cursor(Instant createdAt, String id) {

        /** Opaque to callers: base64url of the position. */
        public String encode() {
            String raw = createdAt.getEpochSecond() + "." + createdAt.getNano() + "/" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        /** The cursor a previous page handed out; null for anything else. */
        public static Cursor decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int slash = raw.indexOf('/');
                int dot = raw.indexOf('.');
                if (slash < 0 || dot < 0 || dot > slash || slash == raw.length() - 1) {
                    return null;
                }
                long seconds = Long.parseLong(raw.substring(0, dot));
                long nanos = Long.parseLong(raw.substring(dot + 1, slash));
                if (nanos < 0 || nanos > 999_999_999) {
                    return null;
                }
                return new Cursor(Instant.ofEpochSecond(seconds, nanos), raw.substring(slash + 1));
            } catch (IllegalArgumentException | java.time.DateTimeException e) {
                return null;
            }
        }
    }

    /** Up to {@code limit} upgrades of a deployment or a state (either may be null), newest first, after a cursor. */
    public Page list(String deployment, UpgradeState state, Cursor after, int limit) {
        StringBuilder hql = new StringBuilder("select id, createdAt from UpgradeEntity where 1 = 1");
        if (deployment != null) {
            hql.append(" and deployment = :d");
        }
        if (state != null) {
            hql.append(" and state = :st");
        }
        if (after != null) {
            hql.append(" and (createdAt < :c or (createdAt = :c and id < :i))");
        }
        hql.append(" order by createdAt desc, id desc");
        List<Object[]> rows = tx.run(s -> {
            // one more than the page: whether there is a next page, without counting them all
            var query = s.createSelectionQuery(hql.toString(), Object[].class).setMaxResults(limit + 1);
            if (deployment != null) {
                query.setParameter("d", deployment);
            }
            if (state != null) {
                query.setParameter("st", state);
            }
            if (after != null) {
                query.setParameter("c", after.createdAt()).setParameter("i", after.id());
            }
            return query.getResultList();
        });
        List<Object[]> page = rows.subList(0, Math.min(limit, rows.size()));
        Cursor next = null;
        if (rows.size() > limit) {
            Object[] last = page.get(page.size() - 1);
            next = new Cursor((Instant) last[1], (String) last[0]);
        }
        return new Page(views(page.stream().map(r -> (String) r[0]).toList()), next);
    }

    /** The views of those of these upgrades that exist, in this order, read in one transaction with three queries. */
    public List<UpgradeView> views(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return tx.run(s -> s.createSelectionQuery("from UpgradeEntity where id in :ids", UpgradeEntity.class)
                .setParameter("ids", ids)
                .getResultList()
                .chain(upgrades -> s.createSelectionQuery(
                                "from TimelineEntry where upgradeId in :ids order by stepIndex", TimelineEntry.class)
                        .setParameter("ids", ids)
                        .getResultList()
                        .chain(steps -> s.createSelectionQuery(
                                        "from EventEntry where upgradeId in :ids order by id", EventEntry.class)
                                .setParameter("ids", ids)
                                .getResultList()
                                .map(events -> {
                                    java.util.Map<String, UpgradeEntity> byId = new java.util.HashMap<>();
                                    upgrades.forEach(u -> byId.put(u.id, u));
                                    java.util.Map<String, List<TimelineEntry>> stepsOf = steps.stream()
                                            .collect(java.util.stream.Collectors.groupingBy(t -> t.upgradeId));
                                    java.util.Map<String, List<EventEntry>> eventsOf = events.stream()
                                            .collect(java.util.stream.Collectors.groupingBy(e -> e.upgradeId));
                                    return ids.stream()
                                            .filter(byId::containsKey)
                                            .map(id -> view(
                                                    byId.get(id),
                                                    stepsOf.getOrDefault(id, List.of()),
                                                    eventsOf.getOrDefault(id, List.of())))
                                            .toList();
                                }))));
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
