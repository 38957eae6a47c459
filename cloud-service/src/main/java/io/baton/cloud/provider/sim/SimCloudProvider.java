package io.baton.cloud.provider.sim;

import io.baton.cloud.fleet.Fleet;
import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.fleet.ServerView;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * An in-process fleet: instances exist as addresses, take time to boot and to back up, and cost nothing. For demos
 * and fault-injection tests; faults come from the saga engine's injector, so they work with real providers too.
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.cloud.provider", stringValue = "sim")
public class SimCloudProvider implements CloudProvider {

    private final Duration actionLatency;
    private final Duration bootTime;
    private final Duration snapshotTime;
    private final Map<String, Instant> snapshots = new ConcurrentHashMap<>();

    public SimCloudProvider(
            @ConfigProperty(name = "baton.cloud.sim.action-latency") Duration actionLatency,
            @ConfigProperty(name = "baton.cloud.sim.boot-time") Duration bootTime,
            @ConfigProperty(name = "baton.cloud.sim.snapshot-time") Duration snapshotTime) {
        this.actionLatency = actionLatency;
        this.bootTime = bootTime;
        this.snapshotTime = snapshotTime;
    }

    @Override
    public String launch(String deployment, ServerView server, Launch how) throws InterruptedException {
        Thread.sleep(actionLatency.toMillis());
        return Fleet.simAddress(server.name(), deployment, server.config());
    }

    @Override
    public void awaitOperational(ServerView server, Duration timeout) throws InterruptedException {
        Thread.sleep(Math.min(bootTime.toMillis(), timeout.toMillis()));
    }

    @Override
    public java.util.List<String> test(ServerView server) throws InterruptedException {
        // a sim server has nothing to fail; a failing test is injected with a fault on LAUNCH_APP_SERVERS
        Thread.sleep(actionLatency.toMillis());
        return java.util.List.of();
    }

    @Override
    public void startSnapshot(ServerView server, String snapshotId) throws InterruptedException {
        Thread.sleep(actionLatency.toMillis());
        snapshots.putIfAbsent(snapshotId, Instant.now());
    }

    @Override
    public int snapshotProgress(String snapshotId) {
        // a snapshot this process never saw was started before a restart: it is as far along as it will get
        Instant started =
                snapshots.computeIfAbsent(snapshotId, id -> Instant.now().minus(snapshotTime));
        long elapsed = Duration.between(started, Instant.now()).toMillis();
        return (int) Math.min(100, elapsed * 100 / Math.max(1, snapshotTime.toMillis()));
    }

    @Override
    public void deleteSnapshot(String snapshotId) throws InterruptedException {
        Thread.sleep(actionLatency.toMillis());
        snapshots.remove(snapshotId);
    }

    @Override
    public void terminate(ServerView server) throws InterruptedException {
        Thread.sleep(actionLatency.toMillis());
    }
}
