package io.baton.cloud.provider.sim;

import io.baton.cloud.provider.CloudProvider;
import io.baton.common.Wait;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Engine;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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

    /** Where a sim server "answers": a name, never an address anything could connect to. */
    static String address(String server, String deployment, ServerView s) {
        int port = s.role() == Role.MASTER || s.role() == Role.SLAVE
                ? Engine.of(s.config().engine()).port()
                : 80;
        return server + "." + deployment + ".sim:" + port;
    }

    @Override
    public String launch(String deployment, ServerView server, Launch how) throws InterruptedException {
        take(actionLatency);
        return address(server.name(), deployment, server);
    }

    @Override
    public void awaitOperational(ServerView server, Duration timeout) throws InterruptedException {
        take(bootTime.compareTo(timeout) < 0 ? bootTime : timeout);
    }

    @Override
    public List<String> test(ServerView server) throws InterruptedException {
        // a sim server has nothing to fail; a failing test is injected with a fault on LAUNCH_APP_SERVERS
        take(actionLatency);
        return List.of();
    }

    @Override
    public void startSnapshot(ServerView server, String snapshotId, String upgradeId, boolean kept)
            throws InterruptedException {
        take(actionLatency);
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
        take(actionLatency);
        snapshots.remove(snapshotId);
    }

    @Override
    public void terminate(ServerView server) throws InterruptedException {
        take(actionLatency);
    }

    /** The sim's servers run already: each answers where its registration says, or at a sim address. */
    @Override
    public Map<String, String> provision(DeploymentView deployment) {
        Map<String, String> addresses = new LinkedHashMap<>();
        for (ServerView s : deployment.servers()) {
            addresses.put(s.id(), s.address() != null ? s.address() : address(s.name(), deployment.name(), s));
        }
        return addresses;
    }

    /** The time an action takes in the sim. */
    private static void take(Duration latency) throws InterruptedException {
        Wait.delay(latency);
    }
}
