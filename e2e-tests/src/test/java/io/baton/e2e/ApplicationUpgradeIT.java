package io.baton.e2e;

import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.fault;
import static io.baton.e2e.BatonStack.timeout;
import static io.baton.e2e.BatonStack.upgrade;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.StepName;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The application runbook through the four packaged services. */
class ApplicationUpgradeIT {

    static Stack stack;

    @BeforeAll
    static void up() throws Exception {
        stack = BatonStack.get();
    }

    /** The sample deployment with a third application server. */
    static void register(String name) throws Exception {
        String body;
        try (InputStream in = ApplicationUpgradeIT.class.getResourceAsStream("/sample-deployment.json")) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"shop\"", "\"" + name + "\"");
        }
        body = body.replace(
                "{\"name\": \"lb-1\"",
                """
                {"name": "app-3", "role": "APP",
                 "config": {"serverTemplate": "PHP App Server", "templateRevision": 7, "cloud": "sim", "region": "eu-west",
                            "zone": "eu-west-c", "instanceSize": "small", "securityGroups": ["app"], "sshKey": "ops", "image": "debian-12"}},
                {"name": "lb-1\"""");
        given().contentType(ContentType.JSON)
                .body(body)
                .post(BatonStack.url(Service.CLOUD) + "/deployments")
                .then()
                .statusCode(201);
    }

    static String start(String deployment) {
        return start(deployment, "PT1M");
    }

    static String start(String deployment, String sessionTtl) {
        return given().contentType(ContentType.JSON)
                .body(request(deployment))
                .post(BatonStack.url(Service.PLANNER) + "/upgrades")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** The steps the planner plans for the upgrade {@link #start} asks for, in order. */
    static List<StepName> plan(String deployment) {
        return BatonStack.plan(request(deployment));
    }

    private static String request(String deployment) {
        return io.baton.launcher.bench.FaultCampaign.applicationRequest(deployment);
    }

    static JsonPath fleet(String deployment) {
        return given().get(BatonStack.url(Service.CLOUD) + "/deployments/" + deployment)
                .then()
                .extract()
                .jsonPath();
    }

    /** What a rollback must leave as it found: live servers, inputs, arrays, schema history, balancer members. */
    static List<String> state(String deployment) {
        JsonPath fleet = fleet(deployment);
        List<String> state = new ArrayList<>();
        for (Map<String, Object> s : fleet.<Map<String, Object>>getList("servers")) {
            if (!"TERMINATED".equals(s.get("state"))) {
                state.add("server " + s.get("name") + " " + s.get("role") + " " + s.get("config") + " "
                        + s.get("inputs"));
            }
        }
        state.add("inputs " + new java.util.TreeMap<>(fleet.getMap("inputs")));
        state.add("arrays " + fleet.getList("arrays"));
        state.add("schema "
                + given().get(BatonStack.url(Service.DB) + "/migrations/" + deployment)
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("name"));
        for (Map<String, Object> m : given().get(BatonStack.url(Service.LB) + "/balancer/" + deployment)
                .then()
                .extract()
                .jsonPath()
                .<Map<String, Object>>getList("")) {
            // a balancer Baton did not set up learns the old servers as serving; they must still serve
            assertThat(m.get("server")).as("only the old servers are members").isIn("app-1", "app-2", "app-3");
            assertThat(m.get("state")).isEqualTo("READY");
        }
        return state;
    }

    @Test
    void threeAppServersAreReplacedByThreeOnTheNewCodeAndTemplate() throws Exception {
        register("g-app");
        String id = start("g-app");
        JsonPath done = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("COMPLETED");
        assertThat(done.getString("steps.find { it.name == 'AWAIT_SESSIONS_DRAINED' }.details.sessionsCut"))
                .isEqualTo("0");
        DatabaseUpgradeIT.assertOneTrace(
                id,
                "COMPLETED",
                done.getList("steps.name", String.class),
                "planner-service",
                "cloud-service",
                "db-upgrade-service",
                "lb-service");

        JsonPath fleet = fleet("g-app");
        List<Map<String, Object>> live =
                fleet.getList("servers.findAll { it.role == 'APP' && it.state == 'OPERATIONAL' }");
        assertThat(live).hasSize(3).allSatisfy(s -> {
            assertThat(s.get("createdBy")).isEqualTo(id);
            assertThat(((Map<?, ?>) s.get("config")).get("templateRevision")).isEqualTo(8);
            assertThat(((Map<?, ?>) s.get("inputs")).get("REPOSITORY_REF")).isEqualTo("v1.5.0");
        });
        assertThat(fleet.getList("servers.findAll { it.name in ['app-1', 'app-2', 'app-3'] }.state"))
                .containsOnly("TERMINATED");
        assertThat(fleet.getList("arrays"))
                .containsExactly(Map.of(
                        "name",
                        "app-array",
                        "serverTemplate",
                        "PHP App Server",
                        "templateRevision",
                        8,
                        "enabled",
                        true));
        assertThat(fleet.getString("inputs.REPOSITORY_REF")).isEqualTo("v1.5.0");
        assertThat(given().get(BatonStack.url(Service.CLOUD) + "/deployments/g-app/inputs.csv?upgrade=" + id)
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .contains("REPOSITORY_REF,v1.4.2");
        assertThat(given().get(BatonStack.url(Service.DB) + "/migrations/g-app")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("name"))
                .containsExactly("order-notes");
        List<String> members = given().get(BatonStack.url(Service.LB) + "/balancer/g-app")
                .then()
                .extract()
                .jsonPath()
                .getList("server");
        assertThat(members).hasSize(3).doesNotContain("app-1", "app-2", "app-3");
    }

    @Test
    void aFaultAtEachStepBeforeThePivotLeavesEverythingAsItWas() throws Exception {
        List<StepName> steps = List.of(
                StepName.BACKUP_DATABASE,
                StepName.RUN_MIGRATIONS,
                StepName.SAVE_INPUTS,
                StepName.SET_INPUTS,
                StepName.LAUNCH_APP_SERVERS,
                StepName.DISABLE_ARRAY,
                StepName.ATTACH_NEW_SERVERS,
                StepName.DRAIN_OLD_SERVERS,
                StepName.AWAIT_SESSIONS_DRAINED,
                StepName.DETACH_OLD_SERVERS,
                StepName.UPDATE_ARRAY,
                StepName.SMOKE_TEST);
        Map<StepName, String> ids = new HashMap<>();
        Map<StepName, List<String>> before = new HashMap<>();
        for (StepName step : steps) {
            String deployment = "h-" + step.name().toLowerCase().replace('_', '-');
            register(deployment);
            before.put(step, state(deployment));
            fault(
                    DatabaseUpgradeIT.service(step.owner()),
                    "{\"step\":\"" + step + "\",\"deployment\":\"" + deployment + "\"}");
            ids.put(step, start(deployment));
        }
        for (StepName step : steps) {
            String deployment = "h-" + step.name().toLowerCase().replace('_', '-');
            JsonPath ended = awaitState(ids.get(step), timeout(), "ROLLED_BACK", "COMPLETED", "FAILED");
            assertThat(ended.getString("state"))
                    .as(step + ": " + ended.getString("failure"))
                    .isEqualTo("ROLLED_BACK");
            assertThat(state(deployment)).as("after a fault in " + step).isEqualTo(before.get(step));
        }
    }

    /**
     * lb-service killed (SIGKILL) while each of its steps runs, then started again: the step resumes from what the
     * balancer kept (the sim balancer's members and sessions outlive the process, as HAProxy's would) and the upgrade
     * completes, with the new servers alone behind the balancer and no session cut.
     */
    @ParameterizedTest(name = "killed in {0}")
    @EnumSource(
            value = StepName.class,
            names = {
                "ATTACH_NEW_SERVERS",
                "DRAIN_OLD_SERVERS",
                "AWAIT_SESSIONS_DRAINED",
                "DETACH_OLD_SERVERS",
                "SMOKE_TEST"
            })
    void killingLbServiceInAnyOfItsStepsLosesNothing(StepName step) throws Exception {
        String deployment = "k-" + step.name().toLowerCase().replace('_', '-');
        register(deployment);
        busy(deployment, 3, 4);
        // the step waits a moment before it acts, long enough to be killed in
        fault(Service.LB, "{\"step\":\"" + step + "\",\"deployment\":\"" + deployment + "\",\"delayMillis\":4000}");
        String id = start(deployment);
        io.baton.common.Wait.forThe(step + " to run", timeout())
                .every(java.time.Duration.ofMillis(20))
                .until(() ->
                        "RUNNING".equals(upgrade(id).getString("steps.find { it.name == '" + step + "' }.outcome")));
        stack.kill(Service.LB);
        stack.startService(Service.LB);
        stack.awaitReady(Service.LB, java.time.Duration.ofSeconds(90));

        JsonPath done = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED", "COMPENSATION_FAILED");
        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("COMPLETED");
        assertThat(done.getString("steps.find { it.name == 'AWAIT_SESSIONS_DRAINED' }.details.sessionsCut"))
                .isEqualTo("0");
        List<String> members = given().get(BatonStack.url(Service.LB) + "/balancer/" + deployment)
                .then()
                .extract()
                .jsonPath()
                .getList("server");
        assertThat(members).hasSize(3).doesNotContain("app-1", "app-2", "app-3");
        assertThat(fleet(deployment).getList("servers.findAll { it.name in ['app-1', 'app-2', 'app-3'] }.state"))
                .containsOnly("TERMINATED");
    }

    /** The old servers serve, and clients hold sessions on them when the upgrade starts. */
    static void busy(String deployment, int sessions, double seconds) {
        String lb = BatonStack.url(Service.LB) + "/balancer/" + deployment;
        given().contentType(ContentType.JSON)
                .body("{\"app-1\": \"app-1:80\", \"app-2\": \"app-2:80\", \"app-3\": \"app-3:80\"}")
                .post(lb + "/members")
                .then()
                .statusCode(200);
        List<String> took = given().contentType(ContentType.JSON)
                .body("{\"count\": " + sessions + ", \"seconds\": " + seconds + "}")
                .post(lb + "/sessions")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("");
        assertThat(took).hasSize(sessions).allMatch(server -> server.startsWith("app-"));
    }

    @Test
    void theDrainWaitsForLongSessionsAndCutsNone() throws Exception {
        register("i-drain");
        busy("i-drain", 6, 8);
        String id = start("i-drain", "PT2M");
        JsonPath done = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        Map<String, String> drain = done.getMap("steps.find { it.name == 'AWAIT_SESSIONS_DRAINED' }.details");
        assertThat(drain).containsEntry("drained", "true").containsEntry("sessionsCut", "0");
        assertThat(Long.parseLong(drain.get("drainMillis")))
                .as("it waited for the sessions, not for the TTL")
                .isBetween(1_000L, 60_000L);
    }

    @Test
    void aDrainPastTheTtlReportsTheSessionsItCut() throws Exception {
        register("i-ttl");
        busy("i-ttl", 3, 600);
        String id = start("i-ttl", "PT1S");
        JsonPath done = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        Map<String, String> drain = done.getMap("steps.find { it.name == 'AWAIT_SESSIONS_DRAINED' }.details");
        assertThat(drain).containsEntry("drained", "false").containsEntry("sessionsCut", "3");
        Metrics lb = Metrics.of(BatonStack.url(Service.LB));
        assertThat(lb.value("baton_drain_sessions_cut_total")).isGreaterThanOrEqualTo(3);
        assertThat(lb.value("baton_drain_duration_seconds_count", Map.of("drained", "false")))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void anIncompatibleMigrationIsRefusedAndNothingHappens() throws Exception {
        register("j-refused");
        List<String> before = state("j-refused");
        given().contentType(ContentType.JSON)
                .body(
                        """
                        {"deployment": "j-refused", "kind": "application",
                         "source": {"repository": "https://git.example.com/shop.git", "ref": "v2.0.0"},
                         "migrations": [{"up": "ALTER TABLE orders DROP COLUMN note", "down": "ALTER TABLE orders ADD COLUMN note text"}],
                         "sessionTtl": "PT1M"}""")
                .post(BatonStack.url(Service.PLANNER) + "/upgrades")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("https://baton.dev/problems/incompatible-migration"));
        assertThat(given().get(BatonStack.url(Service.PLANNER) + "/upgrades?deployment=j-refused")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList(""))
                .isEmpty();
        assertThat(state("j-refused")).isEqualTo(before);
    }
}
