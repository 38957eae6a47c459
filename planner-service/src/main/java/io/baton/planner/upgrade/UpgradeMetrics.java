package io.baton.planner.upgrade;

import io.baton.contracts.UpgradeKind;
import io.baton.saga.Tx;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Upgrades by kind and state (an ended one's state is its outcome: COMPLETED, ROLLED_BACK or FAILED), read from the
 * planner's database: every replica reports the same true counts, across restarts, instead of what it happened to
 * see. In PromQL take {@code max} over replicas, not {@code sum}.
 */
@ApplicationScoped
public class UpgradeMetrics {

    private static final Logger LOG = Logger.getLogger(UpgradeMetrics.class);

    private final Tx tx;
    private final Map<UpgradeKind, Map<UpgradeState, AtomicLong>> counts = new EnumMap<>(UpgradeKind.class);

    public UpgradeMetrics(Tx tx, MeterRegistry registry) {
        this.tx = tx;
        for (UpgradeKind kind : UpgradeKind.values()) {
            Map<UpgradeState, AtomicLong> byState = new EnumMap<>(UpgradeState.class);
            for (UpgradeState state : UpgradeState.values()) {
                AtomicLong n = new AtomicLong();
                byState.put(state, n);
                Gauge.builder("baton.upgrades", n, AtomicLong::get)
                        .description("Upgrades in the planner's database by kind and state; an ended upgrade's state"
                                + " is its outcome")
                        .tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                        .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                        .tag("ended", Boolean.toString(state.terminal()))
                        .register(registry);
            }
            counts.put(kind, byState);
        }
    }

    /** Reads the counts anew. Public for tests, which do not wait for the schedule. */
    @Scheduled(every = "${baton.metrics.refresh:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        List<Object[]> rows;
        try {
            rows = tx.run(s -> s.createSelectionQuery(
                            "select kind, state, count(u) from UpgradeEntity u group by kind, state", Object[].class)
                    .getResultList());
        } catch (RuntimeException e) {
            LOG.debugf("the upgrades could not be counted: %s", e.getMessage());
            return;
        }
        Map<UpgradeKind, Map<UpgradeState, Long>> read = new EnumMap<>(UpgradeKind.class);
        for (Object[] row : rows) {
            read.computeIfAbsent((UpgradeKind) row[0], k -> new EnumMap<>(UpgradeState.class))
                    .put((UpgradeState) row[1], ((Number) row[2]).longValue());
        }
        counts.forEach((kind, byState) -> byState.forEach(
                (state, n) -> n.set(read.getOrDefault(kind, Map.of()).getOrDefault(state, 0L))));
    }
}
