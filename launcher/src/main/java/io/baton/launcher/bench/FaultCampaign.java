package io.baton.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.contracts.Json;
import io.baton.launcher.Main;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Replica;
import io.baton.launcher.Stack.Service;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A seeded fault campaign on the sim fleet with two replicas of every service: many upgrades of both runbooks, some
 * with a step that fails, an undo that fails now and then, or a step slowed down, while a chaos loop kills random
 * replicas with SIGKILL (and starts them again), freezes Baton's PostgreSQL and takes the Kafka broker away for
 * moments. Each upgrade, once ended, is checked against what the fleet says: see {@link #check}. The seed decides the
 * upgrades, their faults and the chaos loop's choices and pauses; the moments those land on depend on the machine.
 */
public final class FaultCampaign {

    /**
     * @param seed the campaign's seed, printed with its figures
     * @param upgrades how many upgrades in all
     * @param parallel how many run at once
     * @param bound how long one upgrade may take before it counts as stuck
     */
    public record Settings(long seed, int upgrades, int parallel, Duration bound) {}

    /**
     * @param ended how many upgrades ended in each state
     * @param violations what broke an invariant, one line each, naming the upgrade
     * @param unplanned upgrades that ended otherwise than their faults alone would have made them (a fault rule
     *     lost with a killed replica, a run given up after being cut short too often): safe, and counted
     * @param chaos what the chaos loop did, in order
     */
    public record Report(
            long seed,
            int upgrades,
            Map<String, Integer> ended,
            List<String> violations,
            List<String> unplanned,
            List<String> chaos,
            long millis,
            long longestMillis) {

        public String summary() {
            long kills = chaos.stream().filter(c -> c.startsWith("kill")).count();
            long freezes = chaos.stream().filter(c -> c.startsWith("freeze")).count();
            long outages = chaos.stream().filter(c -> c.startsWith("kafka")).count();
            return String.format(
                    "fault campaign, seed %d: %d upgrades in %.1f s (longest %.1f s); ended %s; %d kill -9 of a"
                            + " replica, %d freezes of the state PostgreSQL, %d Kafka outages; %d ended otherwise"
                            + " than planned; %d invariant violations",
                    seed,
                    upgrades,
                    millis / 1000.0,
                    longestMillis / 1000.0,
                    ended,
                    kills,
                    freezes,
                    outages,
                    unplanned.size(),
                    violations.size());
        }
    }

    enum Kind {
        DATABASE,
        APPLICATION
    }

    /** One upgrade of the campaign and the faults the seed gave it. */
    record Planned(int n, Kind kind, String deployment, String failing, String failingUndo, String slowed) {
        /** The ends its faults alone would give: an undo that fails ends the upgrade FAILED for an operator. */
        Set<String> expected() {
            if (failing == null) {
                return Set.of("COMPLETED");
            }
            return failingUndo == null ? Set.of("ROLLED_BACK") : Set.of("ROLLED_BACK", "FAILED");
        }

        String describe() {
            return deployment + " (" + kind.name().toLowerCase() + (failing == null ? "" : ", " + failing + " fails")
                    + (failingUndo == null ? "" : ", the undo of " + failingUndo + " fails at times")
                    + (slowed == null ? "" : ", " + slowed + " slowed") + ")";
        }
    }

    private static final Set<String> ENDED = Set.of("COMPLETED", "ROLLED_BACK", "FAILED", "COMPENSATION_FAILED");

    private final Stack stack;
    private final Settings settings;
    private final Consumer<String> say;
    private final Random random;
    private final String tag;
    /** Every fault rule posted, by service: a replica started again gets them again (rules live in memory). */
    private final Map<Service, List<String>> rules = new ConcurrentHashMap<>();

    private final List<String> chaos = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> unplanned = new CopyOnWriteArrayList<>();
    private final Set<Replica> down = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    private FaultCampaign(Stack stack, Settings settings, Consumer<String> say) {
        this.stack = stack;
        this.settings = settings;
        this.say = say;
        this.random = new Random(settings.seed());
        this.tag = "fc" + Long.toString(Math.floorMod(settings.seed(), 46_656L), 36);
    }

    /** Runs the campaign on {@code stack} (signed in: {@link Main#signIn}); starts second replicas where missing. */
    public static Report run(Stack stack, Settings settings, Consumer<String> say) throws Exception {
        return new FaultCampaign(stack, settings, say).run();
    }

    private Report run() throws Exception {
        for (Service s : Service.values()) {
            if (stack.replicas(s).size() < 2) {
                stack.startReplica(new Replica(s, 1));
            }
        }
        for (Service s : Service.values()) {
            for (Replica r : stack.replicas(s)) {
                stack.awaitReady(r, Duration.ofSeconds(120));
            }
        }
        Map<Kind, List<String>> plans = new LinkedHashMap<>();
        List<Planned> planned = new ArrayList<>();
        Map<String, Map<String, Object>> before = new LinkedHashMap<>();
        for (int n = 0; n < settings.upgrades(); n++) {
            Kind kind = random.nextBoolean() ? Kind.DATABASE : Kind.APPLICATION;
            String deployment = tag + "-" + n;
            register(deployment);
            if (!plans.containsKey(kind)) {
                plans.put(kind, plan(kind, deployment));
            }
            Planned p = faults(n, kind, deployment, plans.get(kind));
            planned.add(p);
            before.put(deployment, fingerprint(deployment));
        }
        say.accept(
                "fault campaign, seed " + settings.seed() + ": " + planned.size() + " upgrades, " + settings.parallel()
                        + " at a time, each bounded by " + settings.bound().toSeconds() + " s");

        Thread chaosLoop = new Thread(this::chaos, "fault-campaign-chaos");
        chaosLoop.setDaemon(true);
        long started = System.nanoTime();
        chaosLoop.start();
        Map<String, Integer> ended = new TreeMap<>();
        long longest = 0;
        try {
            List<Planned> waiting = new ArrayList<>(planned);
            Map<Planned, String> ids = new LinkedHashMap<>();
            Map<Planned, Long> since = new LinkedHashMap<>();
            while (!waiting.isEmpty() || !ids.isEmpty()) {
                while (ids.size() < settings.parallel() && !waiting.isEmpty()) {
                    Planned p = waiting.remove(0);
                    ids.put(p, start(p));
                    since.put(p, System.nanoTime());
                }
                for (Planned p : List.copyOf(ids.keySet())) {
                    String id = ids.get(p);
                    long took = (System.nanoTime() - since.get(p)) / 1_000_000;
                    JsonNode upgrade = getJson(Service.PLANNER, "/upgrades/" + id);
                    String state = upgrade.path("state").asText();
                    if (ENDED.contains(state)) {
                        ids.remove(p);
                        longest = Math.max(longest, took);
                        ended.merge(state, 1, Integer::sum);
                        check(p, id, upgrade, before.get(p.deployment()));
                    } else if (took > settings.bound().toMillis()) {
                        ids.remove(p);
                        ended.merge("STUCK", 1, Integer::sum);
                        violations.add(
                                p.describe() + " " + id + " did not end within " + settings.bound() + ": " + state);
                    }
                }
                Thread.sleep(200);
            }
        } finally {
            running = false;
            chaosLoop.join();
            awaitReplicasBack();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Report(
                settings.seed(),
                planned.size(),
                ended,
                List.copyOf(violations),
                List.copyOf(unplanned),
                List.copyOf(chaos),
                millis,
                longest);
    }

    /** The faults the seed gives an upgrade: about half none, the rest a failing step, a failing undo or a delay. */
    private Planned faults(int n, Kind kind, String deployment, List<String> plan) {
        // the last step is not undone (every step before it can be); a failure there is not a rollback drill
        List<String> undoable = plan.subList(0, plan.size() - 1);
        int roll = random.nextInt(100);
        String failing = null;
        String failingUndo = null;
        String slowed = null;
        if (roll < 45) {
            // no fault
        } else if (roll < 75) {
            failing = undoable.get(random.nextInt(undoable.size()));
        } else if (roll < 85) {
            int at = 1 + random.nextInt(undoable.size() - 1);
            failing = undoable.get(at);
            failingUndo = undoable.get(random.nextInt(at));
        } else {
            slowed = plan.get(random.nextInt(plan.size()));
        }
        if (failing != null) {
            fault(failing, "{\"step\":\"%s\",\"deployment\":\"%s\"}".formatted(failing, deployment));
        }
        if (failingUndo != null) {
            fault(
                    failingUndo,
                    "{\"step\":\"%s\",\"deployment\":\"%s\",\"target\":\"COMPENSATION\",\"probability\":0.5}"
                            .formatted(failingUndo, deployment));
        }
        if (slowed != null) {
            fault(
                    slowed,
                    "{\"step\":\"%s\",\"deployment\":\"%s\",\"delayMillis\":%d}"
                            .formatted(slowed, deployment, 500 + random.nextInt(2500)));
        }
        return new Planned(n, kind, deployment, failing, failingUndo, slowed);
    }

    /**
     * What must hold once an upgrade ended, whatever happened meanwhile: it ended with a reason if it did not complete;
     * no instance action ran twice; never two masters taking writes; a completed upgrade left the new servers in place
     * and the old ones gone; a rolled back one left the deployment as it found it (servers, inputs, arrays, write path,
     * balancer members, schema history) and nothing it launched; and the planner's word agrees with the fleet's.
     */
    private void check(Planned p, String id, JsonNode upgrade, Map<String, Object> before) throws Exception {
        String what = p.describe() + " " + id;
        String state = upgrade.path("state").asText();
        String failure = upgrade.path("failure").asText("");
        if (!state.equals("COMPLETED") && failure.isBlank()) {
            violations.add(what + " ended " + state + " without a reason");
        }
        if (!p.expected().contains(state)) {
            unplanned.add(what + " ended " + state + ", planned " + p.expected() + ": " + failure);
        }
        List<String> actions = new ArrayList<>();
        for (JsonNode a : getJson(Service.CLOUD, "/actions/" + id)) {
            actions.add(a.path("action").asText() + " " + a.path("target").asText());
        }
        if (actions.size() != Set.copyOf(actions).size()) {
            violations.add(what + " ran an instance action twice: " + actions);
        }
        JsonNode fleet = getJson(Service.CLOUD, "/deployments/" + p.deployment());
        JsonNode replication = getJson(Service.DB, "/replication/" + p.deployment());
        int writable = 0;
        for (JsonNode node : replication.path("nodes")) {
            if (node.path("replicaOf").isNull()
                    && node.path("running").asBoolean(true)
                    && !node.path("fenced").asBoolean(false)
                    && live(fleet, node.path("id").asText())) {
                writable++;
            }
        }
        if (writable > 1) {
            violations.add(what + ": " + writable + " masters take writes: " + replication);
        }
        List<String> launchedLive = new ArrayList<>();
        for (JsonNode s : fleet.path("servers")) {
            if (id.equals(s.path("createdBy").asText())
                    && !"TERMINATED".equals(s.path("state").asText())) {
                launchedLive.add(s.path("name").asText());
            }
        }
        List<String> oldLive = new ArrayList<>();
        for (JsonNode s : fleet.path("servers")) {
            String name = s.path("name").asText();
            boolean old = p.kind() == Kind.DATABASE ? name.startsWith("db-") : name.startsWith("app-");
            if (old
                    && !s.hasNonNull("createdBy")
                    && !"TERMINATED".equals(s.path("state").asText())) {
                oldLive.add(name);
            }
        }
        switch (state) {
            case "COMPLETED" -> {
                if (!oldLive.isEmpty()) {
                    violations.add(what + " completed with the old servers still running: " + oldLive);
                }
                if (launchedLive.size() != 2) {
                    violations.add(what + " completed with " + launchedLive + " of its servers running, not two");
                }
                if (p.kind() == Kind.APPLICATION) {
                    List<String> members = new ArrayList<>();
                    for (JsonNode m : getJson(Service.LB, "/balancer/" + p.deployment())) {
                        members.add(m.path("server").asText());
                    }
                    if (!Set.copyOf(members).equals(Set.copyOf(launchedLive))) {
                        violations.add(
                                what + " completed with balancer members " + members + ", servers " + launchedLive);
                    }
                }
            }
            case "ROLLED_BACK" -> {
                Map<String, Object> after = fingerprint(p.deployment());
                if (!after.equals(before)) {
                    violations.add(
                            what + " rolled back, but the deployment differs: before " + before + ", after " + after);
                }
                if (!launchedLive.isEmpty()) {
                    violations.add(what + " rolled back and left " + launchedLive + " running");
                }
            }
            default -> {
                // FAILED or COMPENSATION_FAILED: the operator's to look at; the invariants above still hold
            }
        }
    }

    /** An object's fields in the order of their names: two answers with the same content print the same. */
    private static String sorted(JsonNode node) {
        if (!node.isObject()) {
            return node.toString();
        }
        return new TreeMap<String, Object>(Json.mapper().convertValue(node, Map.class)).toString();
    }

    private static boolean live(JsonNode fleet, String serverId) {
        for (JsonNode s : fleet.path("servers")) {
            if (serverId.equals(s.path("id").asText())) {
                return !"TERMINATED".equals(s.path("state").asText());
            }
        }
        return false;
    }

    /** What a rollback must give back as it was. */
    private Map<String, Object> fingerprint(String deployment) throws Exception {
        Map<String, Object> print = new TreeMap<>();
        JsonNode fleet = getJson(Service.CLOUD, "/deployments/" + deployment);
        List<String> servers = new ArrayList<>();
        for (JsonNode s : fleet.path("servers")) {
            if (!"TERMINATED".equals(s.path("state").asText())) {
                servers.add(s.path("name").asText() + " " + s.path("role").asText() + " "
                        + s.path("state").asText() + " " + sorted(s.path("config")) + " " + sorted(s.path("inputs"))
                        + " replicaOf=" + s.path("replicaOf").asText());
            }
        }
        Collections.sort(servers);
        print.put("servers", servers);
        print.put("inputs", sorted(fleet.path("inputs")));
        print.put("arrays", fleet.path("arrays").toString());
        // a write path db-upgrade-service never touched is the registered master's
        String writePath = getJson(Service.DB, "/replication/" + deployment)
                .path("writePath")
                .asText("");
        if (writePath.isEmpty() || writePath.equals("null")) {
            for (JsonNode s : fleet.path("servers")) {
                if ("MASTER".equals(s.path("role").asText())
                        && !"TERMINATED".equals(s.path("state").asText())) {
                    writePath = s.path("id").asText();
                }
            }
        }
        print.put("writePath", writePath);
        print.put("schema", getJson(Service.DB, "/migrations/" + deployment).toString());
        List<String> members = new ArrayList<>();
        for (JsonNode m : getJson(Service.LB, "/balancer/" + deployment)) {
            members.add(m.path("server").asText() + " " + m.path("state").asText());
        }
        Collections.sort(members);
        print.put("balancer", members);
        return print;
    }

    /**
     * The chaos loop: every 2 to 6 s (seeded) one of: kill -9 of a random replica (never the last one running of its
     * service), started again 0 to 4 s later and given the fault rules again; a freeze of Baton's PostgreSQL for 1 to 3
     * s; the Kafka broker away for 1 to 3 s.
     */
    private void chaos() {
        Random dice = new Random(settings.seed() * 31 + 7);
        long t0 = System.nanoTime();
        while (running) {
            try {
                Thread.sleep(2_000 + dice.nextInt(4_000));
                if (!running) {
                    return;
                }
                int roll = dice.nextInt(100);
                String at = String.format("%.1f s", (System.nanoTime() - t0) / 1e9);
                if (roll < 60) {
                    Service s = Service.values()[dice.nextInt(Service.values().length)];
                    List<Replica> replicas = stack.replicas(s);
                    Replica victim = replicas.get(dice.nextInt(replicas.size()));
                    long alive = replicas.stream()
                            .filter(r -> !down.contains(r) && stack.alive(r))
                            .count();
                    if (down.contains(victim) || !stack.alive(victim) || alive < 2) {
                        continue;
                    }
                    int after = dice.nextInt(4_000);
                    down.add(victim);
                    stack.kill(victim);
                    chaos.add("kill -9 " + victim.owner() + " at " + at + ", back after " + after + " ms");
                    Thread restart = new Thread(() -> restart(victim, after), "restart-" + victim.owner());
                    restart.setDaemon(true);
                    restart.start();
                } else if (roll < 80) {
                    Duration pause = Duration.ofMillis(1_000 + dice.nextInt(2_000));
                    chaos.add("freeze of the state PostgreSQL at " + at + " for " + pause.toMillis() + " ms");
                    stack.freezeStatePostgres(pause);
                } else {
                    Duration outage = Duration.ofMillis(1_000 + dice.nextInt(2_000));
                    chaos.add("kafka away at " + at + " for " + outage.toMillis() + " ms");
                    stack.kafkaOutage(outage);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                chaos.add("chaos step failed: " + e);
            }
        }
    }

    private void restart(Replica r, int afterMillis) {
        try {
            Thread.sleep(afterMillis);
            stack.startReplica(r);
            stack.awaitReady(r, Duration.ofSeconds(180));
            for (String rule : rules.getOrDefault(r.service(), List.of())) {
                postFault(stack.url(r), rule);
            }
        } catch (Exception e) {
            violations.add(r.owner() + " did not come back after its kill: " + e.getMessage());
        } finally {
            down.remove(r);
        }
    }

    private void awaitReplicasBack() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(200).toNanos();
        while (!down.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private void fault(String step, String rule) {
        Service s = owner(step);
        rules.computeIfAbsent(s, any -> new CopyOnWriteArrayList<>()).add(rule);
        for (Replica r : stack.replicas(s)) {
            try {
                postFault(stack.url(r), rule);
            } catch (Exception e) {
                throw new IllegalStateException("posting " + rule + " to " + r.owner(), e);
            }
        }
    }

    private static void postFault(String serviceUrl, String rule) throws Exception {
        HttpResponse<String> r = Main.post(serviceUrl + "/faults", rule);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("fault rule refused: " + r.statusCode() + " " + r.body());
        }
    }

    private static Service owner(String step) {
        return Service.valueOf(io.baton.contracts.StepName.valueOf(step).owner().name());
    }

    private void register(String deployment) throws Exception {
        String body;
        try (java.io.InputStream in = FaultCampaign.class.getResourceAsStream("/sample-deployment.json")) {
            body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("\"shop\"", "\"" + deployment + "\"");
        }
        HttpResponse<String> r = Main.post(stack.url(Service.CLOUD) + "/deployments", body);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("registering " + deployment + ": " + r.body());
        }
        // the application servers serve behind the balancer before the upgrade, as they would in production
        HttpResponse<String> members = Main.post(
                stack.url(Service.LB) + "/balancer/" + deployment + "/members",
                "{\"app-1\": \"app-1:80\", \"app-2\": \"app-2:80\"}");
        if (members.statusCode() != 200) {
            throw new IllegalStateException("members of " + deployment + ": " + members.body());
        }
    }

    private static String request(Kind kind, String deployment) {
        if (kind == Kind.DATABASE) {
            return """
                    {"deployment": "%s", "kind": "database", "change": {"instanceSize": "large"}}"""
                    .formatted(deployment);
        }
        return applicationRequest(deployment);
    }

    /**
     * The sample application upgrade: new code (v1.5.0), one input, a new template revision, an additive migration,
     * a smoke test.
     */
    public static String applicationRequest(String deployment) {
        return """
                {"deployment": "%s", "kind": "application",
                 "source": {"repository": "https://git.example.com/shop.git", "ref": "v1.5.0"},
                 "inputs": {"FEATURE_INVOICES": "on"}, "serverChange": {"templateRevision": 8},
                 "migrations": [{"name": "order-notes", "up": "CREATE TABLE order_notes (id bigint, body text)",
                                 "down": "DROP TABLE order_notes"}],
                 "sessionTtl": "PT1M", "smokeTest": {"path": "/health", "expectedStatus": 200}}"""
                .formatted(deployment);
    }

    private List<String> plan(Kind kind, String deployment) throws Exception {
        HttpResponse<String> r =
                Main.post(stack.url(Service.PLANNER) + "/upgrades?dryRun=true", request(kind, deployment));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("planning " + deployment + ": " + r.body());
        }
        List<String> steps = new ArrayList<>();
        for (JsonNode step : Json.mapper().readTree(r.body()).path("plan")) {
            steps.add(step.path("name").asText());
        }
        return steps;
    }

    /** Starts an upgrade; a planner replica just killed, or the broker away, is waited out (within a minute). */
    private String start(Planned p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r =
                        Main.post(stack.url(Service.PLANNER) + "/upgrades", request(p.kind(), p.deployment()));
                if (r.statusCode() == 201) {
                    return Json.mapper().readTree(r.body()).path("id").asText();
                }
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() < 500) {
                    break;
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("starting the upgrade of " + p.describe() + ": " + last);
    }

    /** A GET's JSON from a live replica of the service; asked again for 30 s when none answers (one just killed). */
    private JsonNode getJson(Service service, String path) throws Exception {
        String last = "";
        for (int attempt = 0; attempt < 120; attempt++) {
            try {
                HttpResponse<String> r = Main.get(stack.url(service) + path);
                if (r.statusCode() == 200) {
                    return Json.mapper().readTree(r.body());
                }
                last = r.statusCode() + " " + r.body();
            } catch (java.io.IOException e) {
                // the replica asked died meanwhile; the next attempt asks a live one
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no answer to GET " + path + " of " + service + " within 30 s: " + last);
    }
}
