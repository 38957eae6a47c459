package io.baton.planner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepStatus;
import io.baton.contracts.api.Roles;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.infra.BatonTestInfra;
import io.baton.infra.KafkaProbe;
import io.baton.planner.fleet.CloudInventory;
import io.quarkus.test.InjectMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.ws.rs.NotFoundException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_planner"))
class UpgradeResourceTest {

    static KafkaProbe kafka;

    @InjectMock
    @RestClient
    CloudInventory inventory;

    @BeforeAll
    static void probe() {
        kafka = new KafkaProbe(BatonTestInfra.bootstrapServers());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static ServerConfig db(String zone) {
        return new ServerConfig(
                "PostgreSQL Database Manager",
                14,
                "sim",
                "eu",
                zone,
                "medium",
                List.of("db"),
                "ops",
                "debian-12",
                "postgresql");
    }

    static ServerView server(String id, String name, Role role, String zone, String replicaOf) {
        return new ServerView(
                id,
                name,
                role,
                db(zone),
                ServerState.OPERATIONAL,
                name + ":5432",
                replicaOf,
                Map.of(),
                List.of(),
                null);
    }

    static DeploymentView deployment(String name) {
        return new DeploymentView(
                name,
                List.of(
                        server("m-" + name, "db-1", Role.MASTER, "a", null),
                        server("s-" + name, "db-2", Role.SLAVE, "b", "m-" + name),
                        server("a1-" + name, "app-1", Role.APP, "a", null),
                        server("a2-" + name, "app-2", Role.APP, "b", null)),
                List.of(new FirewallRule("db", 5432, "app")),
                Map.of(),
                List.of());
    }

    @BeforeEach
    void fleet() {
        when(inventory.deployment(anyString())).thenAnswer(call -> {
            String name = call.getArgument(0);
            if (name.startsWith("unknown")) {
                throw new NotFoundException();
            }
            return deployment(name);
        });
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static io.restassured.response.Response post(String deployment, String change, boolean approval, String query) {
        return given().contentType(ContentType.JSON)
                .body("{\"deployment\":\"" + deployment + "\",\"kind\":\"database\",\"approvalRequired\":" + approval
                        + ",\"change\":" + change + "}")
                .post("/upgrades" + query);
    }

    /** Starts a minor upgrade of the deployment and returns its id. */
    static String started(String deployment, boolean approval) {
        return post(deployment, "{\"instanceSize\":\"large\"}", approval, "")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    static void awaitPlannerEvent(String id, String type) {
        kafka.await(
                rs -> rs.stream().anyMatch(r -> id.equals(r.key()) && r.type().equals(type)),
                Duration.ofSeconds(30),
                Owner.PLANNER.topic());
    }

    static JsonPath awaitState(String id, String state) throws InterruptedException {
        try {
            return Wait.forThe(id + " to be " + state, Duration.ofSeconds(30))
                    .every(Duration.ofMillis(100))
                    .untilValue(() -> {
                        JsonPath u = upgrade(id);
                        return state.equals(u.getString("state")) ? u : null;
                    });
        } catch (Wait.Unfinished e) {
            throw new AssertionError(id + " is " + upgrade(id).getString("state") + ", not " + state);
        }
    }

    static JsonPath upgrade(String id) {
        return given().get("/upgrades/" + id).then().statusCode(200).extract().jsonPath();
    }

    static SagaEvent requested(String id) {
        return kafka
                .await(
                        rs -> rs.stream().anyMatch(r -> id.equals(r.key())),
                        Duration.ofSeconds(30),
                        Owner.PLANNER.topic())
                .stream()
                .filter(r -> id.equals(r.key()) && r.type().equals("baton.planner.upgrade-requested.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
    }

    static void publish(Owner from, SagaEvent e) {
        kafka.sendCloudEvent(from.topic(), e.upgradeId(), e.type(from), from.source(), Json.write(e));
    }

    @Test
    void startsAnUpgradeAndPublishesItsPlan() {
        String name = unique("shop");
        String id = post(name, "{\"instanceSize\":\"large\"}", false, "")
                .then()
                .statusCode(201)
                .header("Location", containsString("/upgrades/"))
                .body("classification", equalTo("MINOR"))
                .body("reason", containsString("instanceSize"))
                .body("plan.size()", equalTo(10))
                .body("plan[9].pivot", equalTo(true))
                .extract()
                .path("id");
        SagaEvent e = requested(id);
        assertThat(e.phase()).isEqualTo(Phase.REQUESTED);
        assertThat(e.deployment()).isEqualTo(name);
        assertThat(e.spec().database().target().instanceSize()).isEqualTo("large");
        assertThat(e.spec().database().topology().masterId()).isEqualTo("m-" + name);
        given().get("/upgrades/" + id)
                .then()
                .statusCode(200)
                .body("state", equalTo("RUNNING"))
                .body("steps.size()", equalTo(10))
                .body("steps[0].owner", equalTo("cloud"));
        given().get("/upgrades?deployment=" + name + "&state=running").then().body("size()", equalTo(1));
    }

    /**
     * The list comes a page at a time, newest first, each page's Link header leading to the next: walking every page
     * finds each upgrade once, however many there are; a limit out of range or a made-up cursor is refused.
     */
    @Test
    void theListComesInPagesThatMissNothing() {
        List<String> mine = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(started(unique("page"), false));
        }
        List<String> seen = new java.util.ArrayList<>();
        String next = "/upgrades?state=running&limit=2";
        int pages = 0;
        while (next != null) {
            var response = given().get(next).then().statusCode(200).extract();
            List<String> ids = response.path("id");
            assertThat(ids).hasSizeLessThanOrEqualTo(2);
            seen.addAll(ids);
            pages++;
            String link = response.header("Link");
            next = nextPage(link);
            if (next != null) {
                assertThat(ids).hasSize(2);
                assertThat(link).endsWith("; rel=\"next\"");
                assertThat(next).contains("state=running").contains("limit=2");
            }
        }
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(pages).isGreaterThanOrEqualTo(3);
        // newest first: the five appear in the reverse of the order they started
        List<String> newestFirst = new java.util.ArrayList<>(mine);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen.stream().filter(mine::contains).toList()).containsExactlyElementsOf(newestFirst);

        for (String limit : List.of("0", "201", "-1", "ten")) {
            given().get("/upgrades?limit=" + limit)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("1 to 200"));
        }
        for (String cursor : List.of("nope", "bm9wZQ", "MTIzLjQ1Ng", "%00")) {
            given().urlEncodingEnabled(false)
                    .get("/upgrades?cursor=" + cursor)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("cursor"));
        }
        // nothing to list: an empty page and no next one
        given().get("/upgrades?deployment=" + unique("none"))
                .then()
                .statusCode(200)
                .header("Link", (String) null);
    }

    /** The path and query of the next page a Link header names; null when there is none. */
    static String nextPage(String link) {
        if (link == null) {
            return null;
        }
        URI uri = URI.create(link.substring(link.indexOf('<') + 1, link.indexOf('>')));
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    @Test
    void aDryRunAnswersThePlanAndWritesNothing() {
        String name = unique("dry");
        post(name, "{\"templateRevision\":15}", false, "?dryRun=true")
                .then()
                .statusCode(200)
                .body("dryRun", equalTo(true))
                .body("id", equalTo(null))
                .body("classification", equalTo("MAJOR"));
        given().get("/upgrades?deployment=" + name).then().body("size()", equalTo(0));
        assertThat(kafka.readAll(Owner.PLANNER.topic()).stream().map(KafkaProbe.Record::value))
                .noneMatch(v -> v.contains(name));
    }

    @Test
    void importingAServerTemplateNeedsTheLibraryRole() {
        String name = unique("lib");
        String operator = "Bearer " + BatonTestInfra.token("otto", Roles.OPERATOR);
        for (String change : List.of("{\"templateRevision\":15}", "{\"serverTemplate\":\"MySQL 8 Manager\"}")) {
            given().header("Authorization", operator)
                    .contentType(ContentType.JSON)
                    .body("{\"deployment\":\"" + name + "\",\"kind\":\"database\",\"change\":" + change + "}")
                    .post("/upgrades")
                    .then()
                    .statusCode(403)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://baton.dev/problems/needs-library-role"))
                    .body("detail", containsString("library role"));
        }
        given().get("/upgrades?deployment=" + name).then().body("size()", equalTo(0));
        // a dry run only shows the plan; a minor change needs no library role; with it, the import goes ahead
        given().header("Authorization", operator)
                .contentType(ContentType.JSON)
                .body("{\"deployment\":\"" + name + "\",\"kind\":\"database\",\"change\":{\"templateRevision\":15}}")
                .post("/upgrades?dryRun=true")
                .then()
                .statusCode(200);
        given().header("Authorization", "Bearer " + BatonTestInfra.token("lee", Roles.OPERATOR, Roles.LIBRARY))
                .contentType(ContentType.JSON)
                .body("{\"deployment\":\"" + name + "\",\"kind\":\"database\",\"change\":{\"templateRevision\":15}}")
                .post("/upgrades")
                .then()
                .statusCode(201)
                .body("classification", equalTo("MAJOR"));
        String id = given().get("/upgrades?deployment=" + name).then().extract().path("[0].id");
        given().get("/upgrades/" + id).then().body("requestedBy", equalTo("lee"));
        assertThat(requested(id).actor()).isEqualTo("lee");
    }

    /**
     * An upgrade whose first event the broker refuses (over the producer's 256 KiB in the tests) fails with the
     * broker's reason and frees its deployment; the events behind it flow.
     */
    @Test
    void anEventTheBrokerRefusesFailsItsUpgradeAndLaterOnesFlow() throws Exception {
        String name = unique("huge");
        StringBuilder migrations = new StringBuilder("[");
        for (int i = 0; i < 5; i++) {
            migrations
                    .append(i == 0 ? "" : ",")
                    .append("{\"name\":\"m")
                    .append(i)
                    .append("\",\"up\":\"CREATE TABLE notes_")
                    .append(i)
                    .append(" (id bigint, body text DEFAULT '")
                    .append("x".repeat(60_000))
                    .append("')\",\"down\":\"DROP TABLE notes_")
                    .append(i)
                    .append("\"}");
        }
        String id = given().contentType(ContentType.JSON)
                .body(application(name, migrations.append("]").toString()))
                .post("/upgrades")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        JsonPath failed = awaitState(id, "FAILED");
        assertThat(failed.getString("failure"))
                .contains("the broker refused event")
                .contains("send a smaller");
        String next = started(name, false);
        assertThat(requested(next).deployment()).isEqualTo(name);
    }

    @Test
    void refusalsAreProblemDetailsThatSayWhatToDo() {
        post(unique("unknown"), "{\"instanceSize\":\"large\"}", false, "")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://baton.dev/problems/unknown-deployment"))
                .body("detail", containsString("POST /deployments"));
        post(unique("same"), "{\"instanceSize\":\"medium\",\"zone\":\"b\"}", false, "")
                .then()
                .statusCode(422)
                .body("type", equalTo("https://baton.dev/problems/nothing-to-do"));
        given().contentType(ContentType.JSON)
                .body("{\"kind\":\"database\"}")
                .post("/upgrades")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0]", containsString("deployment"));
        post(unique("typed"), "{\"instanceSize\": 7}", false, "")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("change.instanceSize"));
        given().contentType(ContentType.JSON)
                .body("[1, 2]")
                .post("/upgrades")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().get("/upgrades/nope")
                .then()
                .statusCode(404)
                .body("type", equalTo("https://baton.dev/problems/unknown-upgrade"));
        given().get("/upgrades?state=dancing").then().statusCode(400);
        String busy = unique("busy");
        String first = started(busy, false);
        post(busy, "{\"zone\":\"c\"}", false, "")
                .then()
                .statusCode(409)
                .body("type", equalTo("https://baton.dev/problems/deployment-busy"))
                .body("detail", containsString(first));
    }

    @Test
    void theTimelineFollowsTheEventsAndARollbackFreesTheDeployment() throws Exception {
        String name = unique("tl");
        String id = started(name, false);
        SagaEvent e = requested(id);
        RoutingSlip slip = e.slip();
        publish(
                Owner.CLOUD,
                e.next(Phase.STEP_STARTED, 0, null, slip.withStatus(0, StepStatus.RUNNING), Instant.now()));
        RoutingSlip done = slip.withStatus(0, StepStatus.COMPLETED).withFacts(new SlaveCreated("c-" + id, "db-3"));
        publish(Owner.CLOUD, e.next(Phase.STEP_COMPLETED, 0, null, done, Instant.now()));
        RoutingSlip failed = done.withStatus(1, StepStatus.FAILED);
        publish(Owner.CLOUD, e.next(Phase.STEP_FAILED, 1, "no capacity in zone b", failed, Instant.now()));
        JsonPath rollingBack = awaitState(id, "ROLLING_BACK");
        assertThat(rollingBack.getString("steps[0].outcome")).isEqualTo("COMPLETED");
        assertThat(rollingBack.getString("steps[0].details.candidateName")).isEqualTo("db-3");
        assertThat(rollingBack.getString("steps[1].outcome")).isEqualTo("FAILED");
        assertThat(rollingBack.getString("failure")).isEqualTo("LAUNCH_SLAVE: no capacity in zone b");
        publish(
                Owner.CLOUD,
                e.next(Phase.STEP_COMPENSATED, 0, null, failed.withStatus(0, StepStatus.COMPENSATED), Instant.now()));
        JsonPath rolledBack = awaitState(id, "ROLLED_BACK");
        assertThat(rolledBack.getString("steps[0].outcome")).isEqualTo("COMPENSATED");
        assertThat(rolledBack.getString("endedAt")).isNotNull();
        awaitPlannerEvent(id, "baton.planner.upgrade-rolled-back.v1");
        post(name, "{\"instanceSize\":\"large\"}", false, "").then().statusCode(201);
    }

    @Test
    void theApprovalGateHoldsUntilAnOperatorApproves() throws Exception {
        String name = unique("gate");
        String id = started(name, true);
        SagaEvent e = requested(id);
        RoutingSlip slip = e.slip();
        for (int i = 0; i <= 8; i++) {
            slip = slip.withStatus(i, StepStatus.COMPLETED);
        }
        given().post("/upgrades/" + id + "/approve").then().statusCode(409);
        publish(Owner.DB, e.next(Phase.STEP_COMPLETED, 8, null, slip, Instant.now()));
        awaitState(id, "AWAITING_APPROVAL");
        given().header("Authorization", "Bearer " + BatonTestInfra.token("ada", Roles.APPROVER))
                .post("/upgrades/" + id + "/approve")
                .then()
                .statusCode(200)
                .body("state", equalTo("RUNNING"))
                .body("approvedBy", equalTo("ada"));
        awaitPlannerEvent(id, "baton.planner.upgrade-approved.v1");
        assertThat(kafka.readAll(Owner.PLANNER.topic()).stream()
                        .filter(r -> id.equals(r.key()) && r.type().equals("baton.planner.upgrade-approved.v1"))
                        .map(r -> Json.read(r.value(), SagaEvent.class).actor()))
                .containsExactly("ada");
    }

    static String application(String deployment, String migrations) {
        return """
                {"deployment": "%s", "kind": "application",
                 "source": {"repository": "https://git.example.com/shop.git", "ref": "v1.5.0"},
                 "inputs": {"FEATURE_INVOICES": "on"}, "serverChange": {"instanceSize": "large"},
                 "migrations": %s, "sessionTtl": "PT10M", "drainBy": "health_check_file",
                 "smokeTest": {"path": "/health", "expectedStatus": 200}}"""
                .formatted(deployment, migrations);
    }

    @Test
    void anApplicationUpgradeIsPlannedWithItsMigrationsFirst() {
        String name = unique("app");
        String body = application(
                name,
                """
                [{"name": "notes", "up": "CREATE TABLE order_notes (id bigint, body text); ALTER TABLE orders ADD COLUMN note text",
                  "down": "ALTER TABLE orders DROP COLUMN note; DROP TABLE order_notes"}]""");
        given().contentType(ContentType.JSON)
                .body(body)
                .post("/upgrades?dryRun=true")
                .then()
                .statusCode(200)
                .body("kind", equalTo("APPLICATION"))
                .body("classification", equalTo("MINOR"))
                .body("reason", containsString("2 application server(s) to v1.5.0"))
                .body(
                        "plan.name",
                        org.hamcrest.Matchers.contains(
                                "BACKUP_DATABASE",
                                "RUN_MIGRATIONS",
                                "SAVE_INPUTS",
                                "SET_INPUTS",
                                "LAUNCH_APP_SERVERS",
                                "DISABLE_ARRAY",
                                "ATTACH_NEW_SERVERS",
                                "DRAIN_OLD_SERVERS",
                                "AWAIT_SESSIONS_DRAINED",
                                "DETACH_OLD_SERVERS",
                                "UPDATE_ARRAY",
                                "SMOKE_TEST",
                                "TERMINATE_OLD_APP_SERVERS"))
                .body("plan[7].action", containsString("removing their health-check file"))
                .body("plan[12].pivot", equalTo(true));
        given().get("/upgrades?deployment=" + name).then().body("size()", equalTo(0));
        String id = given().contentType(ContentType.JSON)
                .body(body)
                .post("/upgrades")
                .then()
                .statusCode(201)
                .body("state", equalTo("RUNNING"))
                .extract()
                .path("id");
        SagaEvent e = requested(id);
        assertThat(e.kind()).isEqualTo(io.baton.contracts.UpgradeKind.APPLICATION);
        assertThat(e.spec().application().migrations()).hasSize(1);
        assertThat(e.slip().step(0).name()).isEqualTo(io.baton.contracts.StepName.BACKUP_DATABASE);
    }

    @Test
    void anIncompatibleMigrationIsRefusedStatementByStatementAndNothingHappens() {
        String name = unique("app-bad");
        String body = application(
                name,
                """
                [{"name": "rename", "up": "ALTER TABLE orders RENAME COLUMN note TO remark; CREATE INDEX i ON orders (x)",
                  "down": "ALTER TABLE orders RENAME COLUMN remark TO note"},
                 {"name": "strict", "up": "ALTER TABLE orders ADD COLUMN region text NOT NULL",
                  "down": "ALTER TABLE orders DROP COLUMN region"}]""");
        given().contentType(ContentType.JSON)
                .body(body)
                .post("/upgrades")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://baton.dev/problems/incompatible-migration"))
                .body("detail", containsString("downtime"))
                .body("errors.size()", equalTo(2))
                .body(
                        "errors[0]",
                        containsString("migrations[0] (rename): ALTER TABLE orders RENAME COLUMN note TO remark"))
                .body("errors[1]", containsString("NOT NULL without a default"));
        given().get("/upgrades?deployment=" + name).then().body("size()", equalTo(0));
        assertThat(kafka.readAll(Owner.PLANNER.topic()).stream().map(KafkaProbe.Record::value))
                .noneMatch(v -> v.contains(name));
    }

    @Test
    void anIncompleteApplicationUpgradeSaysWhatIsMissing() {
        given().contentType(ContentType.JSON)
                .body(
                        "{\"deployment\": \"x\", \"kind\": \"application\", \"migrations\": [{\"up\": \"CREATE TABLE t (id int)\"}]}")
                .post("/upgrades?dryRun=true")
                .then()
                .statusCode(400)
                .body(
                        "errors",
                        org.hamcrest.Matchers.hasItems(
                                containsString("source"),
                                containsString("sessionTtl"),
                                containsString("migrations[0]")));
    }

    @Test
    void anAbortAcceptedBeforeTheGateIsReachedKeepsTheGateFromStarting() throws Exception {
        String name = unique("gate-abort");
        String id = started(name, true);
        SagaEvent e = requested(id);
        given().post("/upgrades/" + id + "/abort").then().statusCode(202).body("state", equalTo("ABORTING"));
        RoutingSlip slip = e.slip();
        for (int i = 0; i <= 8; i++) {
            slip = slip.withStatus(i, StepStatus.COMPLETED);
        }
        publish(Owner.DB, e.next(Phase.STEP_COMPLETED, 8, null, slip, Instant.now()));
        JsonPath rollingBack = awaitState(id, "ROLLING_BACK");
        assertThat(rollingBack.getString("steps[9].name")).isEqualTo("APPROVAL");
        assertThat(rollingBack.getString("steps[9].outcome")).isEqualTo("NOT_RUN");
        assertThat(rollingBack.getString("steps[9].details.reason")).isEqualTo("aborted by the operator");
        given().post("/upgrades/" + id + "/approve").then().statusCode(409);
        assertThat(kafka.readAll(Owner.PLANNER.topic()).stream()
                        .filter(r -> id.equals(r.key()))
                        .map(KafkaProbe.Record::type))
                .contains("baton.planner.step-failed.v1")
                .doesNotContain("baton.planner.step-started.v1", "baton.planner.upgrade-approved.v1");
    }
}
