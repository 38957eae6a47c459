package io.baton.planner.upgrade;

import io.baton.planner.api.UpgradeView;
import io.baton.saga.Tx;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Every change of an upgrade, as it lands in this planner's database, for live views: the upgrade's new view each
 * time one of its events is recorded. It reads the database, not this replica's consumer, so a view connected to
 * any replica sees what every replica recorded. Event ids are taken from a sequence but committed in any order, so
 * each look reaches back {@value #OVERLAP} ids and skips those already told.
 */
@ApplicationScoped
public class UpgradeFeed {

    private static final Logger LOG = Logger.getLogger(UpgradeFeed.class);
    private static final int OVERLAP = 500;
    private static final int REMEMBERED = 20_000;

    private final Tx tx;
    private final UpgradeQueries queries;
    private final BroadcastProcessor<UpgradeView> changes = BroadcastProcessor.create();
    private final AtomicInteger watchers = new AtomicInteger();
    private final Set<Long> told = new LinkedHashSet<>();
    private long floor = -1;

    public UpgradeFeed(Tx tx, UpgradeQueries queries) {
        this.tx = tx;
        this.queries = queries;
    }

    /**
     * Subscribes to the changes from now on, for as long as the subscriber stays: {@code subscribe} subscribes to the
     * stream it is given, under this feed's lock, so that no look runs between taking the place and the subscription
     * (what is recorded after the place is told; what before, the watcher reads in the list).
     */
    public synchronized <T> T watch(java.util.function.Function<Multi<UpgradeView>, T> subscribe) {
        watchers.incrementAndGet();
        start();
        return subscribe.apply(changes.onTermination().invoke(() -> watchers.decrementAndGet()));
    }

    /** Takes the place to tell changes from, unless it is taken: the newest event recorded so far. */
    private synchronized void start() {
        if (floor >= 0) {
            return;
        }
        Long max = tx.run(s -> s.createSelectionQuery("select max(id) from EventEntry", Long.class)
                .getSingleResult());
        long from = max == null ? 0 : max;
        // what is there already is not news: the watcher reads it after this
        told.addAll(tx.run(s -> s.createSelectionQuery("select id from EventEntry where id > :from", Long.class)
                .setParameter("from", from - OVERLAP)
                .getResultList()));
        floor = from;
    }

    /** Looks for events recorded since the last look; public for tests, which do not wait for the schedule. */
    @Scheduled(every = "${baton.ui.feed-interval:500ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public synchronized void look() {
        try {
            if (watchers.get() == 0) {
                // nobody watches: only keep the place, so that the first watcher is told what happens next
                floor = -1;
                return;
            }
            if (floor < 0) {
                start();
                return;
            }
            long from = Math.max(0, floor - OVERLAP);
            List<Object[]> rows = tx.run(s -> s.createSelectionQuery(
                            "select id, upgradeId from EventEntry where id > :from order by id", Object[].class)
                    .setParameter("from", from)
                    .setMaxResults(5_000)
                    .getResultList());
            java.util.Map<String, List<Long>> changed = new java.util.LinkedHashMap<>();
            for (Object[] row : rows) {
                long id = (Long) row[0];
                if (!told.contains(id)) {
                    changed.computeIfAbsent((String) row[1], u -> new java.util.ArrayList<>())
                            .add(id);
                }
                floor = Math.max(floor, id);
            }
            // the changed upgrades' views in one read; an upgrade is told once its view went out, so one whose view
            // could not be read is tried at the next look
            for (UpgradeView view : queries.views(List.copyOf(changed.keySet()))) {
                changes.onNext(view);
                told.addAll(changed.get(view.id()));
            }
            while (told.size() > REMEMBERED) {
                told.remove(told.iterator().next());
            }
        } catch (RuntimeException e) {
            LOG.debugf("the upgrades' changes could not be read: %s", e.getMessage());
        }
    }
}
