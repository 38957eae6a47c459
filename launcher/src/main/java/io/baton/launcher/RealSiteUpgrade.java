package io.baton.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.load.HttpLoad;
import io.baton.launcher.load.LocalSite;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One application upgrade of a site on the local cloud (demo-application servers behind HAProxy) while clients
 * send requests through the balancer: what {@code ./baton demo --real} shows and {@code ./baton bench app}
 * repeats.
 */
final class RealSiteUpgrade {

    /**
     * @param drainMillis how long the drain waited for the old servers' sessions to reach 0
     * @param migrations the RUN_MIGRATIONS step's details: how many ran on the master, and lock timeouts met
     */
    record Outcome(
            String upgradeId,
            String state,
            String failure,
            long requests,
            long failed,
            HttpLoad.Phase before,
            HttpLoad.Phase during,
            String drainMillis,
            String migrations) {}

    private static final Duration BEFORE = Duration.ofSeconds(5);

    private final Stack stack;
    private final String site;
    private HttpLoad load;

    RealSiteUpgrade(Stack stack, String site) {
        this.stack = stack;
        this.site = site;
    }

    /** Registers the site (the local cloud starts its database pair, two app servers and HAProxy), then loads it. */
    void prepare() throws Exception {
        HttpResponse<String> registered = Main.post(stack.url(Service.CLOUD) + "/deployments", LocalSite.json(site));
        if (registered.statusCode() != 201) {
            throw new IllegalStateException("registering " + site + " failed: " + registered.body());
        }
        JsonNode fleet = Json.mapper()
                .readTree(Main.get(stack.url(Service.CLOUD) + "/deployments/" + site)
                        .body());
        String balancer = null;
        for (JsonNode s : fleet.get("servers")) {
            if (s.get("role").asText().equals("LB")) {
                balancer = s.get("address").asText();
            }
        }
        load = new HttpLoad("http://" + balancer + "/", 4, 1_000_000, Duration.ofMinutes(5), 1_000).start();
        Wait.delay(BEFORE);
    }

    String request() {
        return LocalSite.upgrade(site, "PT60S");
    }

    /** Marks the start of the upgrade in the load's figures. */
    void started() {
        load.phase("during");
    }

    Outcome finish(String upgradeId) throws Exception {
        JsonNode upgrade = RealUpgrade.awaitEnd(stack, upgradeId);
        load.phase("after");
        load.finish();
        String drain = null;
        String migrations = null;
        for (JsonNode step : upgrade.get("steps")) {
            if (step.get("name").asText().equals("AWAIT_SESSIONS_DRAINED") && step.hasNonNull("details")) {
                drain = step.get("details").path("drainMillis").asText(null);
            }
            if (step.get("name").asText().equals("RUN_MIGRATIONS") && step.hasNonNull("details")) {
                JsonNode d = step.get("details");
                migrations = d.path("migrationsRun").asText("?") + " of "
                        + d.path("migrationsApplied").asText("?") + " run on the master, "
                        + d.path("lockTimeouts").asText("0") + " lock timeouts";
            }
        }
        return new Outcome(
                upgradeId,
                upgrade.get("state").asText(),
                upgrade.hasNonNull("failure") ? upgrade.get("failure").asText() : null,
                load.requests(),
                load.failures().size(),
                load.figures("before"),
                load.figures("during"),
                drain,
                migrations);
    }

    String start() throws Exception {
        String id = RealUpgrade.start(stack, request());
        started();
        return id;
    }

    static String describe(Outcome o) {
        return String.format(
                "%s; requests: %d, %d failed; latency before p50 %.1f ms p99 %.1f ms, during p50 %.1f ms p99 %.1f ms;"
                        + " drain %s ms; versions answering during: %s; migrations: %s",
                o.state(),
                o.requests(),
                o.failed(),
                o.before().p50Millis(),
                o.before().p99Millis(),
                o.during().p50Millis(),
                o.during().p99Millis(),
                o.drainMillis(),
                o.during().versions(),
                o.migrations());
    }
}
