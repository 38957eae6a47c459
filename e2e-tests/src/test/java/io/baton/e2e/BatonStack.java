package io.baton.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Tokens;
import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.api.CreateUpgrade;
import io.baton.contracts.api.Roles;
import io.baton.infra.DefaultToken;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The packaged services of this build, started once for the end-to-end suite, and what a test asks of them. */
final class BatonStack {

    private static Stack stack;
    private static Map<String, String> config;

    private BatonStack() {}

    /** The stack on the sim fleet. */
    static synchronized Stack get() throws Exception {
        return get(Map.of());
    }

    /** The stack with these service settings; a running stack with others is stopped first. */
    static synchronized Stack get(Map<String, String> extraConfig) throws Exception {
        if (stack != null && !config.equals(extraConfig)) {
            close();
        }
        if (stack == null) {
            config = extraConfig;
            Path home = Path.of(System.getProperty("baton.home", ".."))
                    .toAbsolutePath()
                    .normalize();
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service s : Service.values()) {
                ports.put(s, 0);
            }
            // every service sends its spans to the suite's collector (one trace per upgrade, see DatabaseUpgradeIT)
            Map<String, String> settings = new java.util.HashMap<>(extraConfig);
            settings.put("baton.trace.otlp-endpoint", OtlpCollector.get().endpoint());
            stack = Stack.start(
                    new Stack.Options(home, ports, 0, 0, home.resolve("e2e-tests/target/e2e-state"), false, settings));
            // the tests act as a person holding every role; RoleMatrixIT checks each role on its own
            DefaultToken.use(stack.token("e2e-tester", Duration.ofHours(6), Roles.ALL.toArray(String[]::new)));
        }
        return stack;
    }

    /**
     * The stack on the local cloud (real servers) under a fresh root in /tmp, which it returns. Without the tools
     * it needs, the calling tests are skipped; with BATON_REQUIRE_REAL set (CI), they fail.
     */
    static synchronized Path localCloud(List<String> missingTools) throws Exception {
        List<String> missing = new ArrayList<>(missingTools);
        if (overSsh() && !io.baton.infra.OpenSshServer.available()) {
            missing.add("sshd (openssh-server), run as root");
        }
        if (System.getenv("BATON_REQUIRE_REAL") != null) {
            assertThat(missing).as("tools BATON_REQUIRE_REAL asks for").isEmpty();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                missing.isEmpty(), () -> missing + " not installed; bin/install-local-cloud installs them");
        Path root = java.nio.file.Files.createTempDirectory(Path.of("/tmp"), "baton-e2e-");
        Map<String, String> config = new java.util.HashMap<>(Stack.localCloud(root));
        if (overSsh()) {
            // a fleet of separate machines: each address of one sshd is a machine with a directory of its own for
            // Baton's servers, none under Baton's root; the servers listen on their machine's address
            List<String> machines = new ArrayList<>();
            List<String> addresses = new ArrayList<>();
            for (int i = 1; i <= MACHINES; i++) {
                addresses.add("127.0.42." + i);
            }
            sshd = io.baton.infra.OpenSshServer.start(addresses);
            for (String a : addresses) {
                // short: HAProxy takes a control socket's path of at most 97 characters
                Path dir = java.nio.file.Files.createTempDirectory(Path.of("/tmp"), "bm" + a.substring(9) + "-");
                machineRoots.add(dir);
                machines.add(sshd.target(a) + "=" + dir);
            }
            config.put("baton.local.machines", String.join(",", machines));
            config.put("baton.local.ssh.key", sshd.clientKey().toString());
            config.put("baton.local.ssh.known-hosts", sshd.knownHosts().toString());
            config.put("baton.local.client-networks", "127.0.0.0/8,127.0.42.0/24");
        }
        get(config);
        return root;
    }

    private static io.baton.infra.OpenSshServer sshd;

    /**
     * Machines of the fleet over SSH. A deployment's servers stay until the class ends: the database tests leave up to
     * eight PostgreSQL pairs on port 5432 (and two more servers at an upgrade's peak); the application tests eleven
     * servers on port 8080 at their peak (four of the first site, three old and three new and a balancer of the
     * second).
     */
    private static final int MACHINES = 24;

    private static final List<Path> machineRoots = new ArrayList<>();

    /** The directories of the fleet's machines (over SSH), where the servers keep their files. */
    static List<Path> machineRoots() {
        return List.copyOf(machineRoots);
    }

    /**
     * Whether the local cloud's services reach its servers over SSH ({@code -Dbaton.over-ssh=true}): the servers are
     * then placed on a fleet of separate machines (addresses of an OpenSSH server on loopback that the suite starts),
     * and every operation on one goes to its machine.
     */
    static boolean overSsh() {
        return Boolean.getBoolean("baton.over-ssh");
    }

    /** The stack running now, whatever its configuration. */
    static synchronized Stack running() {
        return java.util.Objects.requireNonNull(stack, "no stack runs");
    }

    static Tokens.Keys keys() {
        return stack.keys();
    }

    /** The Authorization header of a token for {@code name} with {@code roles}. */
    static String bearer(String name, String... roles) {
        return "Bearer " + stack.token(name, Duration.ofHours(1), roles);
    }

    /** A deployment as cloud-service shows it. */
    static JsonPath deployment(String name) {
        return given().get(url(Service.CLOUD) + "/deployments/" + name)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static synchronized void close() throws Exception {
        if (stack != null) {
            stack.close();
            stack = null;
        }
        if (sshd != null) {
            sshd.close();
            sshd = null;
        }
        for (Path dir : machineRoots) {
            io.baton.local.Os.deleteTree(dir);
        }
        machineRoots.clear();
    }

    static String url(Service s) {
        return stack.url(s);
    }

    /** Registers the sample deployment of ./baton demo under another name. */
    static JsonPath register(String name) throws IOException {
        String body;
        try (InputStream in = BatonStack.class.getResourceAsStream("/sample-deployment.json")) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"shop\"", "\"" + name + "\"");
        }
        return given().contentType(ContentType.JSON)
                .body(body)
                .post(url(Service.CLOUD) + "/deployments")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    static Response startUpgrade(String deployment, String change, boolean approval) {
        return given().contentType(ContentType.JSON)
                .body(Json.write(request(deployment, change, approval)))
                .post(url(Service.PLANNER) + "/upgrades");
    }

    private static CreateUpgrade request(String deployment, String change, boolean approval) {
        return new CreateUpgrade(
                deployment,
                UpgradeKind.DATABASE,
                Json.read(change, ServerConfig.class),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                approval);
    }

    /** The steps the planner plans for this change, in order. */
    static List<StepName> plan(String deployment, String change) {
        return plan(Json.write(request(deployment, change, false)));
    }

    /** The steps the planner plans for this request body, in order: its dry run. */
    static List<StepName> plan(String body) {
        return given()
                .contentType(ContentType.JSON)
                .body(body)
                .post(url(Service.PLANNER) + "/upgrades?dryRun=true")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("plan.name", String.class)
                .stream()
                .map(StepName::valueOf)
                .toList();
    }

    static String start(String deployment, String change, boolean approval) {
        return startUpgrade(deployment, change, approval)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    static JsonPath upgrade(String id) {
        return given().get(url(Service.PLANNER) + "/upgrades/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static JsonPath awaitState(String id, Duration timeout, String... states) throws InterruptedException {
        try {
            return Wait.forThe("upgrade " + id + " to be " + List.of(states), timeout)
                    .every(Duration.ofMillis(100))
                    .untilValue(() -> {
                        JsonPath u = upgrade(id);
                        return Set.of(states).contains(u.getString("state")) ? u : null;
                    });
        } catch (Wait.Unfinished e) {
            JsonPath u = upgrade(id);
            dumpThreads();
            throw new AssertionError("upgrade " + id + " is " + u.getString("state") + ", not " + List.of(states)
                    + " after " + timeout + ": " + u.prettify());
        }
    }

    /**
     * Each service's threads into its log (SIGQUIT: the JVM prints them and goes on), so that a saga found stuck can
     * be diagnosed from the logs the run leaves.
     */
    static void dumpThreads() {
        for (Service s : Service.values()) {
            try {
                new ProcessBuilder("kill", "-QUIT", Long.toString(stack.pid(s)))
                        .inheritIO()
                        .start()
                        .waitFor();
            } catch (Exception e) {
                System.err.println("no thread dump of " + s + ": " + e.getMessage());
            }
            // and what its database connections are doing: a transaction left open shows here
            try (var c = java.sql.DriverManager.getConnection(stack.jdbcUrl(s));
                    var rows = c.createStatement()
                            .executeQuery("SELECT pid, state, wait_event_type, wait_event, now() - xact_start,"
                                    + " left(query, 200) FROM pg_stat_activity WHERE datname = current_database()"
                                    + " AND pid <> pg_backend_pid() AND state <> 'idle'")) {
                while (rows.next()) {
                    System.err.printf(
                            "%s connection %d: %s, waiting on %s %s, in a transaction for %s: %s%n",
                            s,
                            rows.getInt(1),
                            rows.getString(2),
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(5),
                            rows.getString(6));
                }
            } catch (Exception e) {
                System.err.println("no connection list of " + s + ": " + e.getMessage());
            }
        }
    }

    static void awaitStepOutcome(String id, int step, String outcome, Duration timeout) throws InterruptedException {
        try {
            Wait.forThe("step " + step + " of " + id + " to be " + outcome, timeout)
                    .every(Duration.ofMillis(50))
                    .until(() -> outcome.equals(upgrade(id).getString("steps[" + step + "].outcome")));
        } catch (Wait.Unfinished e) {
            throw new AssertionError("step " + step + " of " + id + " never reached " + outcome);
        }
    }

    static void fault(Service service, String rule) {
        given().contentType(ContentType.JSON)
                .body(rule)
                .post(url(service) + "/faults")
                .then()
                .statusCode(201);
    }

    /**
     * What an operator would compare before and after a rollback: the live servers with their configuration and
     * replication source, and where the database writes go.
     */
    static List<String> topology(String deployment) {
        JsonPath fleet = given().get(url(Service.CLOUD) + "/deployments/" + deployment)
                .then()
                .extract()
                .jsonPath();
        List<Map<String, Object>> servers = fleet.getList("servers");
        List<String> live = new ArrayList<>();
        for (Map<String, Object> s : servers) {
            if (!"TERMINATED".equals(s.get("state"))) {
                live.add(s.get("id") + " " + s.get("name") + " " + s.get("role") + " " + s.get("state") + " "
                        + s.get("config") + " replicaOf=" + s.get("replicaOf") + " createdBy=" + s.get("createdBy"));
            }
        }
        live.sort(Comparator.naturalOrder());
        JsonPath replication = given().get(url(Service.DB) + "/replication/" + deployment)
                .then()
                .extract()
                .jsonPath();
        String master = fleet.getString("servers.find { it.role == 'MASTER' && it.state != 'TERMINATED' }.id");
        String writePath = replication.getString("writePath");
        live.add("writes go to " + (writePath == null ? master : writePath));
        List<Map<String, Object>> nodes = replication.getList("nodes");
        for (Map<String, Object> server : servers) {
            if ("MASTER".equals(server.get("role")) && !"TERMINATED".equals(server.get("state"))) {
                // a master the sim never met has never been touched: it replicates from nothing and takes writes
                Map<String, Object> node = nodes.stream()
                        .filter(n -> n.get("id").equals(server.get("id")))
                        .findFirst()
                        .orElse(Map.of());
                live.add("master " + server.get("name") + " replicates from " + node.get("replicaOf")
                        + (Boolean.TRUE.equals(node.get("fenced")) ? ", fenced" : ", takes writes"));
            }
        }
        return live;
    }

    static List<Map<String, Object>> actions(String id) {
        return given().get(url(Service.CLOUD) + "/actions/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("");
    }

    static List<Map<String, Object>> executions(Service s, String id) {
        return given().get(url(s) + "/executions/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("");
    }

    static void assertNothingLeftBy(String id, String deployment) {
        assertNoServerLeftBy(id, deployment);
        JsonPath snapshots = given().get(url(Service.CLOUD) + "/deployments/" + deployment + "/snapshots")
                .then()
                .extract()
                .jsonPath();
        assertThat(snapshots.getList("findAll { it.createdBy == '" + id + "' }"))
                .as("backups the saga took")
                .isEmpty();
    }

    /** No server the saga launched is left, and each one it launched it terminated (backups may stay). */
    static void assertNoServerLeftBy(String id, String deployment) {
        JsonPath fleet = given().get(url(Service.CLOUD) + "/deployments/" + deployment)
                .then()
                .extract()
                .jsonPath();
        assertThat(fleet.getList("servers.findAll { it.createdBy == '" + id + "' }"))
                .as("servers the saga created")
                .isEmpty();
        long launched = actions(id).stream()
                .filter(a -> "launch".equals(a.get("action")))
                .count();
        long terminated = actions(id).stream()
                .filter(a -> "terminate".equals(a.get("action")))
                .count();
        assertThat(terminated).as("every launch was terminated").isEqualTo(launched);
    }

    static Duration timeout() {
        return Duration.ofSeconds(90);
    }
}
