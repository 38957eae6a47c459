package io.baton.lb.drain;

import io.baton.lb.balancer.LoadBalancer;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Waits until draining servers hold no session, watching their current sessions rather than a timer. The session
 * TTL is only the deadline: sessions still open then are reported as cut, so the operator knows what the upgrade
 * cost its users.
 */
public final class DrainWatcher {

    /**
     * How a drain ended.
     *
     * @param drained every server reached 0 sessions before the deadline
     * @param sessionsCut sessions still open at the deadline
     */
    public record Report(boolean drained, int sessionsCut, long waitedMillis) {}

    private final Duration pollEvery;

    public DrainWatcher(Duration pollEvery) {
        this.pollEvery = pollEvery;
    }

    public Report await(
            LoadBalancer balancer, String deployment, List<String> servers, Duration ttl, BooleanSupplier aborted)
            throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + ttl.toNanos();
        while (true) {
            int open = 0;
            for (String server : servers) {
                open += balancer.currentSessions(deployment, server);
            }
            long waited = (System.nanoTime() - started) / 1_000_000;
            if (open == 0) {
                return new Report(true, 0, waited);
            }
            if (System.nanoTime() >= deadline || aborted.getAsBoolean()) {
                return new Report(false, open, waited);
            }
            Thread.sleep(Math.max(1, Math.min(pollEvery.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
        }
    }
}
