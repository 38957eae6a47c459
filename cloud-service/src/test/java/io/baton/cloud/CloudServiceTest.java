package io.baton.cloud;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.contracts.Topology;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.UpgradeSpec;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.infra.BatonTestInfra;
import io.baton.infra.KafkaProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_cloud"))
class CloudServiceTest {

    static final String CLOUD_EVENTS = Owner.CLOUD.topic();
    static KafkaProbe kafka;

    @BeforeAll
    static void probe() {
        kafka = new KafkaProbe(BatonTestInfra.bootstrapServers());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static DeploymentView register(String name) {
        String body =
                """
                {"name": "%s",
                 "inputs": {"REPO_URL": "https://git.example/shop.git"},
                 "firewallRules": [{"securityGroup": "db", "port": 5432, "source": "app"}],
                 "arrays": [{"name": "app-array", "serverTemplate": "PHP App Server", "templateRevision": 3}],
                 "servers": [
                   {"name": "db-1", "role": "MASTER", "inputs": {"DB_NAME": "shop"}, "alerts": ["cpu > 90%%"],
                    "config": {"serverTemplate": "PostgreSQL Database Manager", "templateRevision": 14, "cloud": "sim",
                               "region": "eu-west", "zone": "a", "instanceSize": "medium", "securityGroups": ["db"],
                               "sshKey": "ops", "image": "debian-12", "engine": "postgresql"}},
                   {"name": "db-2", "role": "SLAVE", "inputs": {"DB_NAME": "shop"}, "alerts": ["cpu > 90%%", "lag > 30s"],
                    "config": {"serverTemplate": "PostgreSQL Database Manager", "templateRevision": 14, "cloud": "sim",
                               "region": "eu-west", "zone": "b", "instanceSize": "medium", "securityGroups": ["db"],
                               "sshKey": "ops", "image": "debian-12", "engine": "postgresql"}},
                   {"name": "app-1", "role": "APP",
                    "config": {"serverTemplate": "PHP App Server", "templateRevision": 3, "cloud": "sim",
                               "region": "eu-west", "zone": "a", "instanceSize": "small", "securityGroups": ["app"]}}
                 ]}
                """
                        .formatted(name);
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/deployments")
                .then()
                .statusCode(201)
                .extract()
                .as(DeploymentView.class);
    }

    static SagaEvent requested(DeploymentView d, ServerConfig change, List<StepName> steps) {
        ServerView master = d.master().orElseThrow();
        ServerView slave = d.slave().orElseThrow();
        Topology topology = new Topology(
                master.id(),
                master.name(),
                master.address(),
                slave.id(),
                slave.name(),
                slave.address(),
                slave.config());
        DatabaseUpgrade upgrade = new DatabaseUpgrade(
                Classification.MINOR,
                "instance size only",
                change,
                slave.config().apply(change),
                topology);
        List<SlipStep> slip = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            slip.add(SlipStep.pending(i, steps.get(i), false));
        }
        return new SagaEvent(
                UUID.randomUUID().toString(),
                d.name(),
                UpgradeKind.DATABASE,
                Phase.REQUESTED,
                -1,
                null,
                new RoutingSlip(slip, Map.of()),
                new UpgradeSpec(upgrade, false),
                Instant.now());
    }

    static ServerConfig sizeChange(String size) {
        return new ServerConfig(null, null, null, null, null, size, null, null, null, null);
    }

    static List<String> typesFor(String upgradeId) {
        return kafka.readAll(CLOUD_EVENTS).stream()
                .filter(r -> upgradeId.equals(r.key()))
                .map(KafkaProbe.Record::type)
                .toList();
    }

    /** The first event of this upgrade with this CloudEvents type among the records. */
    static SagaEvent first(List<KafkaProbe.Record> records, String upgradeId, String type) {
        return records.stream()
                .filter(r -> upgradeId.equals(r.key()) && r.type().equals(type))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
    }

    static String publish(Owner from, SagaEvent event) {
        return kafka.sendCloudEvent(
                from.topic(), event.upgradeId(), event.type(from), from.source(), Json.write(event));
    }

    @Test
    void clonesTheSlaveLaunchesItAndUndoesBothOnRollback() {
        DeploymentView d = register("shop-" + UUID.randomUUID().toString().substring(0, 8));
        SagaEvent requested = requested(
                d, sizeChange("large"), List.of(StepName.CREATE_SLAVE, StepName.LAUNCH_SLAVE, StepName.AWAIT_CATCH_UP));
        String eventId = publish(Owner.PLANNER, requested);
        String id = requested.upgradeId();

        kafka.await(
                records -> records.stream()
                        .anyMatch(r -> id.equals(r.key()) && r.type().equals("baton.cloud.server-launched.v1")),
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        assertThat(typesFor(id))
                .containsExactly(
                        "baton.cloud.step-started.v1",
                        "baton.cloud.server-created.v1",
                        "baton.cloud.step-started.v1",
                        "baton.cloud.server-launched.v1");
        KafkaProbe.Record launched = kafka.readAll(CLOUD_EVENTS).stream()
                .filter(r -> id.equals(r.key()) && r.type().endsWith("server-launched.v1"))
                .findFirst()
                .orElseThrow();
        assertThat(launched.ce()).containsEntry("subject", id).containsEntry("source", "/baton/cloud-service");
        assertThat(launched.ce()).containsKeys("id", "time", "specversion");

        DeploymentView after = given().get("/deployments/" + d.name())
                .then()
                .statusCode(200)
                .extract()
                .as(DeploymentView.class);
        ServerView candidate = after.servers().stream()
                .filter(s -> id.equals(s.createdBy()))
                .findFirst()
                .orElseThrow();
        assertThat(candidate.name()).isEqualTo("db-3");
        assertThat(candidate.config().instanceSize()).isEqualTo("large");
        assertThat(candidate.config().zone()).isEqualTo("b");
        assertThat(candidate.state().name()).isEqualTo("OPERATIONAL");
        assertThat(candidate.replicaOf()).isEqualTo(d.master().orElseThrow().id());
        assertThat(candidate.alerts()).containsExactly("cpu > 90%", "lag > 30s");
        assertThat(candidate.inputs()).containsEntry("DB_NAME", "shop");

        // the same event delivered again changes nothing
        kafka.sendCloudEvent(
                Owner.PLANNER.topic(),
                id,
                eventId,
                requested.type(Owner.PLANNER),
                Owner.PLANNER.source(),
                Json.write(requested));
        sleep(1500);
        assertThat(typesFor(id)).hasSize(4);

        // the db service reports that catch-up failed: cloud undoes the launch, then the clone, newest first
        SagaEvent last = Json.read(launched.value(), SagaEvent.class);
        RoutingSlip failedSlip = last.slip().withStatus(2, StepStatus.FAILED);
        publish(Owner.DB, last.next(Phase.STEP_FAILED, 2, "replica never caught up", failedSlip, Instant.now()));
        kafka.await(
                records -> records.stream()
                                .filter(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1"))
                                .count()
                        == 2,
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        List<KafkaProbe.Record> compensations = kafka.readAll(CLOUD_EVENTS).stream()
                .filter(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1"))
                .toList();
        assertThat(compensations.stream()
                        .map(r -> Json.read(r.value(), SagaEvent.class).step()))
                .containsExactly(1, 0);
        DeploymentView rolledBack =
                given().get("/deployments/" + d.name()).then().extract().as(DeploymentView.class);
        assertThat(rolledBack.servers()).extracting(ServerView::name).containsExactly("db-1", "db-2", "app-1");

        List<String> actions = given().get("/actions/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("action");
        assertThat(actions).containsExactly("create", "launch", "terminate", "delete");
    }

    @Test
    void aRecordThatIsNotASagaEventGoesToTheDeadLetterTopicAndSagasGoOn() {
        kafka.sendRaw(Owner.PLANNER.topic(), "garbage", "this is not JSON");
        kafka.sendCloudEvent(
                Owner.PLANNER.topic(),
                "garbage-2",
                "baton.planner.upgrade-requested.v1",
                "/x",
                "{\"phase\":\"REQUESTED\"}");
        kafka.await(records -> records.size() >= 2, Duration.ofSeconds(30), Owner.CLOUD.deadLetterTopic());

        DeploymentView d =
                register("after-poison-" + UUID.randomUUID().toString().substring(0, 8));
        SagaEvent requested = requested(d, sizeChange("xlarge"), List.of(StepName.CREATE_SLAVE));
        publish(Owner.PLANNER, requested);
        kafka.await(
                records -> records.stream()
                        .anyMatch(r -> requested.upgradeId().equals(r.key())
                                && r.type().endsWith("server-created.v1")),
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
    }

    /**
     * A request whose slip is only the pivot, naming the deployment's real master and slave (and, once, a new pair
     * taken from another deployment), terminates nothing: the new pair must be servers this upgrade launched here.
     */
    @Test
    void aForgedPivotTerminatesNothing() {
        DeploymentView d = register("forged-" + UUID.randomUUID().toString().substring(0, 8));
        DeploymentView other = register("other-" + UUID.randomUUID().toString().substring(0, 8));
        SagaEvent bare = requested(d, sizeChange("large"), List.of(StepName.TERMINATE_OLD_PAIR));
        String otherSlave = other.slave().orElseThrow().id();
        SagaEvent borrowed = new SagaEvent(
                UUID.randomUUID().toString(),
                d.name(),
                UpgradeKind.DATABASE,
                Phase.REQUESTED,
                -1,
                null,
                new RoutingSlip(bare.slip().steps(), Map.of("candidateId", otherSlave, "replacementId", otherSlave)),
                bare.spec(),
                Instant.now());
        for (SagaEvent forged : List.of(bare, borrowed)) {
            publish(Owner.PLANNER, forged);
            List<KafkaProbe.Record> records = kafka.await(
                    rs -> rs.stream()
                            .anyMatch(r -> forged.upgradeId().equals(r.key())
                                    && r.type().equals("baton.cloud.step-failed.v1")),
                    Duration.ofSeconds(30),
                    CLOUD_EVENTS);
            assertThat(first(records, forged.upgradeId(), "baton.cloud.step-failed.v1")
                            .reason())
                    .contains("nothing terminated");
        }
        for (DeploymentView fleet : List.of(d, other)) {
            assertThat(given().get("/deployments/" + fleet.name())
                            .then()
                            .statusCode(200)
                            .extract()
                            .as(DeploymentView.class)
                            .servers())
                    .allMatch(server -> server.state() != ServerState.TERMINATED);
        }
    }

    @Test
    void registrationErrorsAreProblemDetails() {
        String name = "dup-" + UUID.randomUUID().toString().substring(0, 8);
        register(name);
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"servers\":[{\"name\":\"x\",\"role\":\"APP\",\"config\":{}}]}")
                .post("/deployments")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://baton.dev/problems/deployment-exists"));
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"Bad Name\",\"servers\":[]}")
                .post("/deployments")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors", hasItem(containsString("name")))
                .body("errors", hasItem(containsString("servers")));
        given().contentType(ContentType.JSON)
                .body("{\"name\": ")
                .post("/deployments")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().get("/deployments/" + name + "/inputs.csv")
                .then()
                .statusCode(200)
                .contentType("text/csv")
                .header("Content-Disposition", containsString(name + "-inputs.csv"))
                .body(equalTo("name,value\r\nREPO_URL,https://git.example/shop.git\r\n"));
        given().get("/deployments/nope/inputs.csv").then().statusCode(404).contentType("application/problem+json");
        given().get("/deployments/nope")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://baton.dev/problems/unknown-deployment"))
                .body("detail", containsString("POST /deployments"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anAbortThatArrivesBeforeThePivotStartsLeavesThePivotUnstartedAndRollsBack() {
        DeploymentView d = register("pivot-" + UUID.randomUUID().toString().substring(0, 8));
        List<StepName> steps = List.of(
                StepName.CREATE_SLAVE,
                StepName.LAUNCH_SLAVE,
                StepName.AWAIT_CATCH_UP,
                StepName.LAUNCH_NEW_SLAVE,
                StepName.AWAIT_NEW_SLAVE_SYNC,
                StepName.TERMINATE_OLD_PAIR);
        SagaEvent requested = requested(d, sizeChange("large"), steps);
        List<SlipStep> slip = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            boolean pivot = i == steps.size() - 1;
            slip.add(SlipStep.pending(i, steps.get(i), pivot)
                    .withStatus(pivot ? StepStatus.PENDING : StepStatus.COMPLETED));
        }
        RoutingSlip beforePivot = new RoutingSlip(slip, Map.of("candidateId", "none", "replacementId", "none"));
        String id = requested.upgradeId();
        // the abort reaches cloud-service first; db-service's "in sync" comes after it
        publish(
                Owner.PLANNER,
                requested.next(Phase.ABORT_REQUESTED, -1, "aborted by the operator", beforePivot, Instant.now()));
        sleep(500);
        publish(Owner.DB, requested.next(Phase.STEP_COMPLETED, 4, null, beforePivot, Instant.now()));

        List<KafkaProbe.Record> records = kafka.await(
                rs -> rs.stream().anyMatch(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1")),
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        SagaEvent failed = records.stream()
                .filter(r -> id.equals(r.key()) && r.type().endsWith("step-failed.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
        assertThat(failed.step()).isEqualTo(5);
        assertThat(failed.reason()).isEqualTo("aborted by the operator");
        assertThat(failed.slip().step(5).status()).as("the pivot never started").isEqualTo(StepStatus.PENDING);
        SagaEvent compensated = records.stream()
                .filter(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
        assertThat(compensated.step())
                .as("the newest completed step with an undo")
                .isEqualTo(3);
        assertThat(given().get("/actions/" + id).then().extract().jsonPath().getList("action"))
                .doesNotContain("terminate");
    }

    @Test
    void savesSetsAndRestoresTheDeploymentInputsOfAnApplicationUpgrade() {
        DeploymentView d = register("inputs-" + UUID.randomUUID().toString().substring(0, 8));
        List<StepName> steps = List.of(
                StepName.BACKUP_DATABASE, StepName.SAVE_INPUTS, StepName.SET_INPUTS, StepName.LAUNCH_APP_SERVERS);
        List<SlipStep> slip = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            slip.add(SlipStep.pending(i, steps.get(i), false));
        }
        ApplicationUpgrade app = new ApplicationUpgrade(
                "https://git.example/shop.git",
                "v2.0.0",
                Map.of("FEATURE_INVOICES", "on"),
                null,
                List.of(),
                Duration.ofMinutes(10),
                ApplicationUpgrade.DrainMode.DRAIN_STATE,
                new ApplicationUpgrade.SmokeTest("/", 200));
        String id = UUID.randomUUID().toString();
        SagaEvent requested = new SagaEvent(
                id,
                d.name(),
                UpgradeKind.APPLICATION,
                Phase.REQUESTED,
                -1,
                null,
                new RoutingSlip(slip, Map.of()),
                new UpgradeSpec(null, app, false),
                Instant.now());
        given().contentType(ContentType.JSON)
                .body("{\"step\": \"LAUNCH_APP_SERVERS\", \"deployment\": \"" + d.name() + "\"}")
                .post("/faults")
                .then()
                .statusCode(201);
        publish(Owner.PLANNER, requested);

        // the launch fails after it started a server: that server is removed, then the input steps are undone
        List<KafkaProbe.Record> records = kafka.await(
                rs -> rs.stream()
                                .filter(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1"))
                                .count()
                        == 2,
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        SagaEvent set = first(records, id, "baton.cloud.inputs-set.v1");
        assertThat(set.slip().facts()).containsEntry("inputsSet", "REPOSITORY_URL, REPOSITORY_REF, FEATURE_INVOICES");
        assertThat(records.stream().filter(r -> id.equals(r.key())).map(KafkaProbe.Record::type))
                .contains("baton.cloud.database-backed-up.v1", "baton.cloud.inputs-saved.v1");

        DeploymentView after =
                given().get("/deployments/" + d.name()).then().extract().as(DeploymentView.class);
        assertThat(after.inputs()).as("restored from the saved CSV").isEqualTo(d.inputs());
        given().get("/deployments/" + d.name() + "/inputs.csv?upgrade=" + id)
                .then()
                .statusCode(200)
                .body(equalTo("name,value\r\nREPO_URL,https://git.example/shop.git\r\n"));
        assertThat(given().get("/deployments/" + d.name() + "/snapshots")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("createdBy"))
                .as("the database backup is kept")
                .containsExactly(id);
        assertThat(given().get("/actions/" + id).then().extract().jsonPath().getList("action"))
                .containsExactly(
                        "snapshot",
                        "save-inputs",
                        "set-inputs",
                        "create",
                        "launch",
                        "terminate",
                        "delete",
                        "restore-inputs",
                        "restore-inputs");
    }

    @Test
    void disablesTheArrayThenGivesItTheNewTemplateAndUndoesBothInReverse() {
        DeploymentView d = register("array-" + UUID.randomUUID().toString().substring(0, 8));
        assertThat(d.arrays()).containsExactly(new ServerArrayView("app-array", "PHP App Server", 3, true));
        List<StepName> steps = List.of(StepName.DISABLE_ARRAY, StepName.UPDATE_ARRAY, StepName.SMOKE_TEST);
        List<SlipStep> slip = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            slip.add(SlipStep.pending(i, steps.get(i), false));
        }
        ApplicationUpgrade app = new ApplicationUpgrade(
                "https://git.example/shop.git",
                "v2.0.0",
                Map.of(),
                new ServerConfig(null, 4, null, null, null, null, null, null, null, null),
                List.of(),
                Duration.ofMinutes(10),
                ApplicationUpgrade.DrainMode.DRAIN_STATE,
                new ApplicationUpgrade.SmokeTest("/", 200));
        String id = UUID.randomUUID().toString();
        publish(
                Owner.PLANNER,
                new SagaEvent(
                        id,
                        d.name(),
                        UpgradeKind.APPLICATION,
                        Phase.REQUESTED,
                        -1,
                        null,
                        new RoutingSlip(slip, Map.of()),
                        new UpgradeSpec(null, app, false),
                        Instant.now()));
        List<KafkaProbe.Record> records = kafka.await(
                rs -> rs.stream().anyMatch(r -> id.equals(r.key()) && r.type().equals("baton.cloud.array-updated.v1")),
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        DeploymentView updated =
                given().get("/deployments/" + d.name()).then().extract().as(DeploymentView.class);
        assertThat(updated.arrays()).containsExactly(new ServerArrayView("app-array", "PHP App Server", 4, true));

        // the smoke test fails at lb-service: the array gets its old template back, then is enabled as before
        SagaEvent done = first(records, id, "baton.cloud.array-updated.v1");
        publish(
                Owner.LB,
                done.next(
                        Phase.STEP_FAILED,
                        2,
                        "GET / answered 503",
                        done.slip().withStatus(2, StepStatus.FAILED),
                        Instant.now()));
        kafka.await(
                rs -> rs.stream()
                                .filter(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1"))
                                .count()
                        == 2,
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        DeploymentView restored =
                given().get("/deployments/" + d.name()).then().extract().as(DeploymentView.class);
        assertThat(restored.arrays()).containsExactly(new ServerArrayView("app-array", "PHP App Server", 3, true));
        assertThat(given().get("/actions/" + id).then().extract().jsonPath().getList("action"))
                .containsExactly("disable_array", "update_array", "restore-array", "restore-array");
    }

    static SagaEvent application(DeploymentView d, List<StepName> steps, int pivot) {
        List<SlipStep> slip = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            slip.add(SlipStep.pending(i, steps.get(i), i == pivot));
        }
        ApplicationUpgrade app = new ApplicationUpgrade(
                "https://git.example/shop.git",
                "v2.0.0",
                Map.of(),
                new ServerConfig(null, null, null, null, null, "medium", null, null, null, null),
                List.of(),
                Duration.ofMinutes(10),
                ApplicationUpgrade.DrainMode.DRAIN_STATE,
                new ApplicationUpgrade.SmokeTest("/", 200));
        return new SagaEvent(
                UUID.randomUUID().toString(),
                d.name(),
                UpgradeKind.APPLICATION,
                Phase.REQUESTED,
                -1,
                null,
                new RoutingSlip(slip, Map.of()),
                new UpgradeSpec(null, app, false),
                Instant.now());
    }

    @Test
    void launchesAsManyNewAppServersAsOldOnesAndTerminatesTheOldAtThePivot() {
        DeploymentView d = register("apps-" + UUID.randomUUID().toString().substring(0, 8));
        SagaEvent requested =
                application(d, List.of(StepName.LAUNCH_APP_SERVERS, StepName.TERMINATE_OLD_APP_SERVERS), 1);
        String id = requested.upgradeId();
        publish(Owner.PLANNER, requested);
        List<KafkaProbe.Record> records = kafka.await(
                rs -> rs.stream()
                        .anyMatch(r ->
                                id.equals(r.key()) && r.type().equals("baton.cloud.old-app-servers-terminated.v1")),
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        SagaEvent launched = first(records, id, "baton.cloud.app-servers-launched.v1");
        assertThat(launched.slip().facts())
                .containsEntry("oldServers", "app-1=app-1." + d.name() + ".sim:80")
                .containsEntry("newServers", "app-2=app-2." + d.name() + ".sim:80");
        DeploymentView after =
                given().get("/deployments/" + d.name()).then().extract().as(DeploymentView.class);
        ServerView fresh = after.servers().stream()
                .filter(s -> s.name().equals("app-2"))
                .findFirst()
                .orElseThrow();
        assertThat(fresh.state().name()).isEqualTo("OPERATIONAL");
        assertThat(fresh.config().instanceSize()).isEqualTo("medium");
        assertThat(fresh.inputs())
                .as("launched with the deployment's inputs")
                .containsEntry("REPO_URL", "https://git.example/shop.git");
        assertThat(after.servers().stream()
                        .filter(s -> s.name().equals("app-1"))
                        .findFirst()
                        .orElseThrow()
                        .state()
                        .name())
                .isEqualTo("TERMINATED");
    }

    @Test
    void aFailureAfterTheLaunchTerminatesTheNewAppServers() {
        DeploymentView d = register("apps-undo-" + UUID.randomUUID().toString().substring(0, 8));
        SagaEvent requested = application(d, List.of(StepName.LAUNCH_APP_SERVERS, StepName.SMOKE_TEST), -1);
        String id = requested.upgradeId();
        publish(Owner.PLANNER, requested);
        SagaEvent launched = kafka
                .await(
                        rs -> rs.stream()
                                .anyMatch(r ->
                                        id.equals(r.key()) && r.type().equals("baton.cloud.app-servers-launched.v1")),
                        Duration.ofSeconds(30),
                        CLOUD_EVENTS)
                .stream()
                .filter(r -> id.equals(r.key()) && r.type().equals("baton.cloud.app-servers-launched.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
        publish(
                Owner.LB,
                launched.next(
                        Phase.STEP_FAILED,
                        1,
                        "GET / answered 503",
                        launched.slip().withStatus(1, StepStatus.FAILED),
                        Instant.now()));
        kafka.await(
                rs -> rs.stream().anyMatch(r -> id.equals(r.key()) && r.type().endsWith("step-compensated.v1")),
                Duration.ofSeconds(30),
                CLOUD_EVENTS);
        DeploymentView after =
                given().get("/deployments/" + d.name()).then().extract().as(DeploymentView.class);
        assertThat(after.servers()).extracting(ServerView::name).containsExactly("db-1", "db-2", "app-1");
        assertThat(given().get("/actions/" + id).then().extract().jsonPath().getList("action"))
                .containsExactly("create", "launch", "terminate", "delete");
    }
}
