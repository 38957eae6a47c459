package io.baton.lb.drain;

import io.baton.common.Wait;
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
        try {
            Wait.forThe("the sessions of " + servers + " to end", ttl)
                    .every(pollEvery)
                    .stopIf(aborted, "aborted by the operator")
                    .until(() -> open(balancer, deployment, servers) == 0);
            return new Report(true, 0, (System.nanoTime() - started) / 1_000_000);
        } catch (Wait.Unfinished deadlineOrAbort) {
            int open = open(balancer, deployment, servers);
            return new Report(open == 0, open, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static int open(LoadBalancer balancer, String deployment, List<String> servers) {
        int open = 0;
        for (String server : servers) {
            open += balancer.currentSessions(deployment, server);
        }
        return open;
    }
}
