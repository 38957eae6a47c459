package io.baton.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.api.CreateUpgrade;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.load.LocalDeployment;
import io.baton.launcher.load.WriteLoad;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One database upgrade of a real pair on the local cloud while an application writes through the write path: what
 * {@code ./baton demo --real} shows and {@code ./baton bench} repeats.
 */
final class RealUpgrade {

    /**
     * @param lost acknowledged writes missing on the final master
     * @param proof the PROMOTE step's details: the old master's final position, the new master's applied position
     *     and the write fence in milliseconds
     */
    record Outcome(
            String upgradeId,
            String state,
            String failure,
            WriteLoad.Result load,
            long lost,
            Map<String, String> proof) {}

    private final Stack stack;
    private final String engine;
    private final String deployment;
    private WriteLoad load;

    RealUpgrade(Stack stack, String engine, String deployment) {
        this.stack = stack;
        this.engine = engine;
        this.deployment = deployment;
    }

    /** Registers the pair (the local cloud starts db-1 and db-2) and starts writing; returns once writes are acked. */
    void prepare() throws Exception {
        HttpResponse<String> registered =
                Main.post(stack.url(Service.CLOUD) + "/deployments", LocalDeployment.json(deployment, engine));
        if (registered.statusCode() != 201) {
            throw new IllegalStateException("registering " + deployment + " failed: " + registered.body());
        }
        load = new WriteLoad(
                        engine,
                        stack.localSecrets()
                                .orElseThrow()
                                .of(deployment, engine)
                                .app(),
                        this::writePath,
                        LocalDeployment.DATABASE,
                        500_000,
                        Duration.ofMinutes(5),
                        1_000)
                .start();
        try {
            Wait.forThe("the writer's first 50 acknowledged writes", Duration.ofSeconds(10))
                    .every(Duration.ofMillis(20))
                    .until(() -> load.acknowledgedCount() >= 50);
        } catch (Wait.Unfinished e) {
            throw new IllegalStateException(e.getMessage() + ": " + load.lastError());
        }
    }

    /** The request that upgrades the pair: a minor change, the instance size. */
    String request() {
        ServerConfig large = new ServerConfig(null, null, null, null, null, "large", null, null, null, null);
        return Json.write(new CreateUpgrade(
                deployment, UpgradeKind.DATABASE, large, null, null, null, null, null, null, null, false));
    }

    /** Stops the writer once the upgrade has ended and checks every acknowledged write on the final master. */
    Outcome finish(String upgradeId) throws Exception {
        JsonNode upgrade = awaitEnd(stack, upgradeId);
        WriteLoad.Result figures = load.finish();
        JsonNode fleet = Json.mapper()
                .readTree(Main.get(stack.url(Service.CLOUD) + "/deployments/" + deployment)
                        .body());
        String master = null;
        for (JsonNode s : fleet.get("servers")) {
            if (s.get("role").asText().equals("MASTER")
                    && !s.get("state").asText().equals("TERMINATED")) {
                master = s.get("address").asText();
            }
        }
        List<Long> missing = load.missingOn(master);
        Map<String, String> proof = new LinkedHashMap<>();
        for (JsonNode step : upgrade.get("steps")) {
            if (step.get("name").asText().equals("PROMOTE") && step.hasNonNull("details")) {
                for (String key : List.of("oldMasterFinalPosition", "newMasterAppliedPosition", "writeFenceMillis")) {
                    if (step.get("details").hasNonNull(key)) {
                        proof.put(key, step.get("details").get(key).asText());
                    }
                }
            }
        }
        return new Outcome(
                upgradeId,
                upgrade.get("state").asText(),
                upgrade.hasNonNull("failure") ? upgrade.get("failure").asText() : null,
                figures,
                missing.size(),
                proof);
    }

    String start() throws Exception {
        return start(stack, request());
    }

    /** Asks the planner for an upgrade and returns its id. */
    static String start(Stack stack, String request) throws Exception {
        HttpResponse<String> created = Main.post(stack.url(Service.PLANNER) + "/upgrades", request);
        if (created.statusCode() != 201) {
            throw new IllegalStateException("the planner refused the upgrade: " + created.body());
        }
        return Json.mapper().readTree(created.body()).get("id").asText();
    }

    /** The upgrade once it has ended (or as it is after five minutes). */
    static JsonNode awaitEnd(Stack stack, String upgradeId) throws Exception {
        try {
            return Wait.forThe("upgrade " + upgradeId + " to end", Duration.ofMinutes(5))
                    .every(Duration.ofMillis(100))
                    .untilValue(() -> {
                        JsonNode upgrade = upgrade(stack, upgradeId);
                        return List.of("COMPLETED", "ROLLED_BACK", "FAILED")
                                        .contains(upgrade.get("state").asText())
                                ? upgrade
                                : null;
                    });
        } catch (Wait.Unfinished e) {
            return upgrade(stack, upgradeId);
        }
    }

    private static JsonNode upgrade(Stack stack, String upgradeId) throws Exception {
        return Json.mapper()
                .readTree(Main.get(stack.url(Service.PLANNER) + "/upgrades/" + upgradeId)
                        .body());
    }

    private String writePath() {
        try {
            return Json.mapper()
                    .readTree(Main.get(stack.url(Service.CLOUD) + "/deployments/" + deployment + "/write-path")
                            .body())
                    .get("address")
                    .asText();
        } catch (Exception e) {
            throw new IllegalStateException("the write path of " + deployment + " is not known: " + e.getMessage(), e);
        }
    }

    static String describe(Outcome o) {
        WriteLoad.Result r = o.load();
        return String.format(
                "%s; writes: %d acknowledged, %d failed, %d lost; longest stall %d ms; write latency p50 %.1f ms,"
                        + " p99 %.1f ms; proof: old master's final position %s, new master applied %s, writes"
                        + " fenced %s ms",
                o.state(),
                r.acknowledged(),
                r.failed(),
                o.lost(),
                r.maxStallMillis(),
                r.p50LatencyMillis(),
                r.p99LatencyMillis(),
                o.proof().get("oldMasterFinalPosition"),
                o.proof().get("newMasterAppliedPosition"),
                o.proof().get("writeFenceMillis"));
    }
}
