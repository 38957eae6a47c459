package io.baton.e2e;

import static io.baton.e2e.BatonStack.actions;
import static io.baton.e2e.BatonStack.assertNothingLeftBy;
import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.awaitStepOutcome;
import static io.baton.e2e.BatonStack.executions;
import static io.baton.e2e.BatonStack.fault;
import static io.baton.e2e.BatonStack.register;
import static io.baton.e2e.BatonStack.start;
import static io.baton.e2e.BatonStack.startUpgrade;
import static io.baton.e2e.BatonStack.timeout;
import static io.baton.e2e.BatonStack.topology;
import static io.baton.e2e.BatonStack.upgrade;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepName;
import io.baton.contracts.api.Roles;
import io.baton.infra.KafkaProbe;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The database runbook through the four packaged services, one Kafka broker and one PostgreSQL. */
class DatabaseUpgradeIT {

    static Stack stack;
    static KafkaProbe kafka;

    @BeforeAll
    static void up() throws Exception {
        stack = BatonStack.get();
        kafka = new KafkaProbe(stack.bootstrapServers());
    }

    @AfterAll
    static void down() throws Exception {
        kafka.close();
        BatonStack.close();
    }

    /** The steps of a minor database upgrade before its pivot, in plan order. */
    static final List<StepName> BEFORE_THE_PIVOT = List.of(
            StepName.CREATE_SLAVE,
            StepName.LAUNCH_SLAVE,
            StepName.AWAIT_CATCH_UP,
            StepName.CHECK_FIREWALL,
            StepName.PROMOTE,
            StepName.BACKUP_MASTER,
            StepName.VERIFY_MASTER,
            StepName.LAUNCH_NEW_SLAVE,
            StepName.AWAIT_NEW_SLAVE_SYNC);

    static final String[] TOPICS = {Owner.PLANNER.topic(), Owner.CLOUD.topic(), Owner.DB.topic(), Owner.LB.topic()};

    @Test
    void aMinorUpgradeCompletes() throws Exception {
        register("a-minor");
        List<String> before = topology("a-minor");
        String id = start("a-minor", "{\"instanceSize\": \"large\"}", false);
        JsonPath done = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        assertThat(done.getString("classification")).isEqualTo("MINOR");
        assertThat(done.getList("steps.outcome")).containsOnly("COMPLETED");

        JsonPath fleet = given().get(BatonStack.url(Service.CLOUD) + "/deployments/a-minor")
                .then()
                .extract()
                .jsonPath();
        Map<String, Object> master = fleet.getMap("servers.find { it.role == 'MASTER' && it.state == 'OPERATIONAL' }");
        Map<String, Object> slave = fleet.getMap("servers.find { it.role == 'SLAVE' && it.state == 'OPERATIONAL' }");
        assertThat(master.get("name")).isEqualTo("db-3");
        assertThat(master.get("createdBy")).isEqualTo(id);
        assertThat(((Map<?, ?>) master.get("config")).get("instanceSize")).isEqualTo("large");
        assertThat(slave.get("name")).isEqualTo("db-4");
        assertThat(slave.get("replicaOf"))
                .as("the new slave follows the new master")
                .isEqualTo(master.get("id"));
        assertThat(((Map<?, ?>) slave.get("config")).get("instanceSize")).isEqualTo("large");
        assertThat(fleet.getList("servers.findAll { it.name in ['db-1', 'db-2'] }.state"))
                .containsOnly("TERMINATED");
        assertThat(before).anyMatch(l -> l.contains(" db-1 MASTER"));
        JsonPath replication = given().get(BatonStack.url(Service.DB) + "/replication/a-minor")
                .then()
                .extract()
                .jsonPath();
        assertThat(replication.getString("writePath")).isEqualTo(master.get("id"));
        assertThat(replication.getString("nodes.find { it.name == 'db-4' }.replicaOf"))
                .isEqualTo(master.get("id"));

        // the topics hold the saga in order: requested, each step started then done in plan order, completed
        List<KafkaProbe.Record> records =
                kafka.readAll(TOPICS).stream().filter(r -> id.equals(r.key())).toList();
        List<String> completedInTopicOrder = new ArrayList<>();
        Map<String, Integer> lastStepPerTopic = new HashMap<>();
        for (KafkaProbe.Record r : records) {
            SagaEvent e = Json.read(r.value(), SagaEvent.class);
            assertThat(r.ce()).containsEntry("subject", id).containsKeys("id", "source", "time", "specversion");
            assertThat(e.step())
                    .as("steps of one saga go forward on " + r.topic())
                    .isGreaterThanOrEqualTo(lastStepPerTopic.getOrDefault(r.topic(), -1));
            lastStepPerTopic.put(r.topic(), e.step());
            if (r.type().equals(e.step() >= 0 ? e.slip().step(e.step()).name().completedType() : "")) {
                completedInTopicOrder.add(e.slip().step(e.step()).name().name());
            }
        }
        assertThat(completedInTopicOrder)
                .containsExactlyInAnyOrder(
                        "CREATE_SLAVE",
                        "LAUNCH_SLAVE",
                        "AWAIT_CATCH_UP",
                        "CHECK_FIREWALL",
                        "PROMOTE",
                        "BACKUP_MASTER",
                        "VERIFY_MASTER",
                        "LAUNCH_NEW_SLAVE",
                        "AWAIT_NEW_SLAVE_SYNC",
                        "TERMINATE_OLD_PAIR");
        List<String> plannerTypes = records.stream()
                .filter(r -> r.topic().equals(Owner.PLANNER.topic()))
                .map(KafkaProbe.Record::type)
                .toList();
        assertThat(plannerTypes)
                .containsExactly("baton.planner.upgrade-requested.v1", "baton.planner.upgrade-completed.v1");
        SagaEvent promoted = records.stream()
                .filter(r -> r.type().equals("baton.db.master-promoted.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
        assertThat(promoted.slip().facts().get("newMasterAppliedPosition"))
                .isEqualTo(promoted.slip().facts().get("oldMasterFinalPosition"));

        // what a Prometheus scraping the services sees of it
        Metrics db = Metrics.of(BatonStack.url(Service.DB));
        assertThat(db.value("baton_switchover_fence_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(db.value("baton_switchover_longest_write_stall_seconds")).isGreaterThanOrEqualTo(0);
        assertThat(db.value("baton_step_duration_seconds_count", Map.of("step", "PROMOTE", "outcome", "completed")))
                .isGreaterThanOrEqualTo(1);
        assertThat(db.value("baton_outbox_backlog")).isGreaterThanOrEqualTo(0);
        assertThat(Metrics.of(BatonStack.url(Service.CLOUD))
                        .value("baton_step_duration_seconds_count", Map.of("step", "CREATE_SLAVE")))
                .isGreaterThanOrEqualTo(1);
        for (Service service : Service.values()) {
            assertThat(Metrics.of(BatonStack.url(service)).value("baton_consumer_lag_records"))
                    .as("%s reports its consumer lag", service)
                    .isGreaterThanOrEqualTo(0);
        }
        // the services log JSON lines; every line a step's worker logs names its upgrade and step
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(stack.log(Service.DB))) {
            if (line.startsWith("{")) {
                try {
                    lines.add(Json.mapper().readTree(line));
                } catch (com.fasterxml.jackson.core.JsonProcessingException cutShort) {
                    // the log is shared with earlier stacks, whose processes some tests kill mid-line
                }
            }
        }
        assertThat(lines).isNotEmpty();
        assertThat(lines)
                .filteredOn(l -> l.path("threadName").asText().startsWith("saga-step-"))
                .isNotEmpty()
                .allSatisfy(l ->
                        assertThat(l.path("mdc").path("upgradeId").asText()).isNotBlank());
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.path("mdc").path("upgradeId").asText()).isEqualTo(id);
            assertThat(l.path("mdc").path("step").asText()).isEqualTo("PROMOTE");
            assertThat(l.path("level").asText()).isNotBlank();
        });
        // one trace for the upgrade, across the four services and their Kafka hops
        assertOneTrace(
                id,
                "COMPLETED",
                done.getList("steps.name", String.class),
                "planner-service",
                "cloud-service",
                "db-upgrade-service");
        // the planner counts upgrades from its database, refreshed every baton.metrics.refresh (10 s)
        Wait.forThe("the planner to count the completed upgrade", Duration.ofSeconds(30))
                .every(Duration.ofMillis(500))
                .until(() -> Metrics.of(BatonStack.url(Service.PLANNER))
                                .value(
                                        "baton_upgrades",
                                        Map.of("kind", "database", "state", "completed", "ended", "true"))
                        >= 1);
    }

    /**
     * The upgrade's spans, as the suite's OTLP collector received them: its root span from the planner once it ended,
     * a span per step run under it, and every Kafka hop as a publish span of one service with the process spans of
     * the others as its children, all in the trace its id gives.
     */
    static List<OtlpCollector.Span> assertOneTrace(
            String upgradeId, String state, List<String> stepNames, String... services) throws Exception {
        OtlpCollector collector = OtlpCollector.get();
        String traceId = OtlpCollector.traceId(upgradeId);
        String root = OtlpCollector.rootSpanId(upgradeId);
        Wait.forThe("the upgrade's root span", Duration.ofSeconds(15))
                .every(Duration.ofMillis(200))
                .until(() -> collector.trace(traceId).stream()
                        .anyMatch(s -> s.spanId().equals(root)));
        // the services send every second; the last process spans come at most a second after the root
        Thread.sleep(2_500);
        List<OtlpCollector.Span> spans = collector.trace(traceId);
        OtlpCollector.Span rootSpan =
                spans.stream().filter(s -> s.spanId().equals(root)).findFirst().orElseThrow();
        assertThat(rootSpan.service()).isEqualTo("planner-service");
        assertThat(rootSpan.parentSpanId()).isEmpty();
        assertThat(rootSpan.span().path("attributes").toString()).contains(state);
        assertThat(spans).extracting(OtlpCollector.Span::service).contains(services);
        assertThat(spans)
                .filteredOn(s -> s.kind() == 1 && !s.spanId().equals(root))
                .extracting(OtlpCollector.Span::name)
                .containsAll(stepNames);
        assertThat(spans)
                .filteredOn(s -> s.kind() != 5 && !s.spanId().equals(root))
                .allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(root));
        Map<String, OtlpCollector.Span> published = new HashMap<>();
        spans.stream().filter(s -> s.kind() == 4).forEach(s -> published.put(s.spanId(), s));
        List<OtlpCollector.Span> processed =
                spans.stream().filter(s -> s.kind() == 5).toList();
        assertThat(processed).isNotEmpty().allSatisfy(p -> {
            OtlpCollector.Span parent = published.get(p.parentSpanId());
            assertThat(parent).as("the publish span of %s", p.name()).isNotNull();
            assertThat(p.name()).isEqualTo(parent.name().replaceFirst("^publish ", "process "));
        });
        // a hop from one service to another: the planner's request processed by the cloud service, say
        assertThat(processed).anySatisfy(p -> assertThat(p.service())
                .isNotEqualTo(published.get(p.parentSpanId()).service()));
        assertThat(rootSpan.span().path("status").path("code").asInt())
                .as("the root span's status")
                .isEqualTo(state.equals("COMPLETED") ? 1 : 2);
        return spans;
    }

    @Test
    void aMajorUpgradeToANewTemplateRevisionCompletes() throws Exception {
        register("b-major");
        String id = start("b-major", "{\"templateRevision\": 15}", false);
        JsonPath done = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        assertThat(done.getString("classification")).isEqualTo("MAJOR");
        JsonPath fleet = given().get(BatonStack.url(Service.CLOUD) + "/deployments/b-major")
                .then()
                .extract()
                .jsonPath();
        assertThat(
                        fleet.getList(
                                "servers.findAll { it.role in ['MASTER', 'SLAVE'] && it.state == 'OPERATIONAL' }.config.templateRevision"))
                .containsOnly(15);
    }

    @Test
    void aFaultAtEachStepBeforeThePivotRollsEverythingBack() throws Exception {
        List<StepName> steps = BEFORE_THE_PIVOT;
        Map<StepName, String> ids = new HashMap<>();
        Map<StepName, List<String>> before = new HashMap<>();
        for (StepName step : steps) {
            String deployment = "c-" + step.name().toLowerCase().replace('_', '-');
            register(deployment);
            before.put(step, topology(deployment));
            fault(service(step.owner()), "{\"step\":\"" + step + "\",\"deployment\":\"" + deployment + "\"}");
            ids.put(step, start(deployment, "{\"instanceSize\": \"large\"}", false));
        }
        for (StepName step : steps) {
            String deployment = "c-" + step.name().toLowerCase().replace('_', '-');
            String id = ids.get(step);
            JsonPath ended = awaitState(id, timeout(), "ROLLED_BACK", "COMPLETED", "FAILED");
            assertThat(ended.getString("state")).as(step + " fails").isEqualTo("ROLLED_BACK");
            assertThat(ended.getString("failure")).contains(step.name()).contains("injected fault");
            int failed = steps.indexOf(step);
            assertThat(ended.getString("steps[" + failed + "].outcome")).isEqualTo("FAILED");
            for (int i = 0; i < failed; i++) {
                String expected = steps.get(i).compensable() ? "COMPENSATED" : "COMPLETED";
                assertThat(ended.getString("steps[" + i + "].outcome"))
                        .as(step + ": step " + steps.get(i))
                        .isEqualTo(expected);
            }
            assertThat(topology(deployment))
                    .as("topology after a fault in " + step)
                    .isEqualTo(before.get(step));
            assertNothingLeftBy(id, deployment);
        }
    }

    @Test
    void aSecurityGroupThatShutsOutTheAppTierIsCaughtBeforePromotion() throws Exception {
        register("c-firewall");
        List<String> before = topology("c-firewall");
        String id = start("c-firewall", "{\"securityGroups\": [\"db-v2\"]}", false);
        JsonPath ended = awaitState(id, timeout(), "ROLLED_BACK", "COMPLETED", "FAILED");
        assertThat(ended.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(ended.getString("failure"))
                .isEqualTo("CHECK_FIREWALL: the security groups [db-v2] of db-3 do not accept [app] on port 5432;"
                        + " add a rule for them or choose a security group that has one");
        assertThat(ended.getString("steps.find { it.name == 'PROMOTE' }.outcome"))
                .isEqualTo("PENDING");
        assertThat(topology("c-firewall")).isEqualTo(before);
        assertNothingLeftBy(id, "c-firewall");
    }

    @Test
    void abortAtTheApprovalGateRollsBack() throws Exception {
        register("d-gate");
        List<String> before = topology("d-gate");
        String id = start("d-gate", "{\"instanceSize\": \"large\", \"zone\": \"eu-west-c\"}", true);
        awaitState(id, timeout(), "AWAITING_APPROVAL");
        given().header("Authorization", BatonStack.bearer("otto", Roles.OPERATOR))
                .post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/abort")
                .then()
                .statusCode(202)
                .body("state", equalTo("ABORTING"))
                .body("abortedBy", equalTo("otto"));
        JsonPath ended = awaitState(id, timeout(), "ROLLED_BACK", "COMPLETED", "FAILED");
        assertThat(ended.getString("state")).isEqualTo("ROLLED_BACK");
        // the audit: who started and who aborted, on the upgrade and on the events they asked for
        assertThat(ended.getString("requestedBy")).isEqualTo("e2e-tester");
        assertThat(ended.getString("abortedBy")).isEqualTo("otto");
        assertThat(ended.getString("approvedBy")).isNull();
        assertThat(ended.getString("events.find { it.type == 'baton.planner.upgrade-requested.v1' }.actor"))
                .isEqualTo("e2e-tester");
        assertThat(ended.getString("events.find { it.type == 'baton.planner.abort-requested.v1' }.actor"))
                .isEqualTo("otto");
        assertThat(ended.getList("events.findAll { it.actor != null }.type")).hasSize(2);
        assertThat(ended.getString("steps.find { it.name == 'PROMOTE' }.outcome"))
                .isEqualTo("COMPENSATED");
        // the rollback is in the upgrade's trace: each undo a span after its step's, the root span in error
        List<String> undone = ended.getList("steps.findAll { it.outcome == 'COMPENSATED' }.name", String.class);
        List<OtlpCollector.Span> spans =
                assertOneTrace(id, "ROLLED_BACK", undone, "planner-service", "cloud-service", "db-upgrade-service");
        assertThat(spans)
                .extracting(OtlpCollector.Span::name)
                .containsAll(undone.stream().map(step -> "undo " + step).toList());
        assertThat(topology("d-gate")).isEqualTo(before);
        assertNothingLeftBy(id, "d-gate");
        given().post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/abort")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://baton.dev/problems/upgrade-ended"));
    }

    @Test
    void abortWhileAStepRunsTurnsAroundWhenTheStepEnds() throws Exception {
        register("d-running");
        List<String> before = topology("d-running");
        fault(Service.CLOUD, "{\"step\":\"BACKUP_MASTER\",\"deployment\":\"d-running\",\"delayMillis\":3000}");
        String id = start("d-running", "{\"image\": \"debian-13\"}", false);
        awaitStepOutcome(id, 5, "RUNNING", timeout());
        given().post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/abort")
                .then()
                .statusCode(202);
        JsonPath ended = awaitState(id, timeout(), "ROLLED_BACK", "COMPLETED", "FAILED");
        assertThat(ended.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(ended.getList("steps.outcome").subList(6, 10)).containsOnly("PENDING");
        assertThat(topology("d-running")).isEqualTo(before);
        assertNothingLeftBy(id, "d-running");
    }

    @Test
    void approvalLetsTheUpgradeFinish() throws Exception {
        register("d-approve");
        String id = start("d-approve", "{\"sshKey\": \"ops-2026\"}", true);
        awaitState(id, timeout(), "AWAITING_APPROVAL");
        // an operator may not approve: the gate needs the approver role
        given().header("Authorization", BatonStack.bearer("otto", Roles.OPERATOR, Roles.VIEWER))
                .post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/approve")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        assertThat(BatonStack.upgrade(id).getString("state")).isEqualTo("AWAITING_APPROVAL");
        given().header("Authorization", BatonStack.bearer("ada", Roles.APPROVER))
                .post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/approve")
                .then()
                .statusCode(200)
                .body("approvedBy", equalTo("ada"));
        JsonPath ended = awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(ended.getString("state")).isEqualTo("COMPLETED");
        assertThat(ended.getString("approvedBy")).isEqualTo("ada");
        assertThat(ended.getString("events.find { it.type == 'baton.planner.upgrade-approved.v1' }.actor"))
                .isEqualTo("ada");
    }

    @Test
    void killingDbUpgradeServiceWhileItWaitsForCatchUpLosesAndRepeatsNothing() throws Exception {
        String id = upgradeThroughARestartDuringCatchUp("e-crash", () -> stack.kill(Service.DB));

        List<String> cloudActions = actions(id).stream()
                .map(a -> a.get("action") + " " + a.get("target"))
                .toList();
        assertThat(cloudActions).doesNotHaveDuplicates();
        Map<String, Integer> attempts = new HashMap<>();
        for (Map<String, Object> x : executions(Service.DB, id)) {
            attempts.put((String) x.get("name"), (Integer) x.get("attempts"));
        }
        assertThat(attempts)
                .containsEntry("AWAIT_CATCH_UP", 2)
                .containsEntry("PROMOTE", 1)
                .containsEntry("VERIFY_MASTER", 1)
                .containsEntry("AWAIT_NEW_SLAVE_SYNC", 1);
        for (Map<String, Object> x : executions(Service.CLOUD, id)) {
            assertThat(x.get("attempts")).as("cloud step " + x.get("name")).isEqualTo(1);
        }
    }

    @Test
    void stoppingDbUpgradeServiceGracefullyMidStepResumesTheStepInsteadOfRollingBack() throws Exception {
        String id = upgradeThroughARestartDuringCatchUp("e-sigterm", () -> stack.stop(Service.DB));
        assertThat(executions(Service.DB, id).stream()
                        .filter(x -> "AWAIT_CATCH_UP".equals(x.get("name")))
                        .map(x -> x.get("attempts")))
                .containsExactly(2);
    }

    @Test
    void badRequestsGetProblemDetailsAndChangeNothing() throws Exception {
        register("f-refusals");
        startUpgrade("nowhere", "{\"instanceSize\": \"large\"}", false)
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://baton.dev/problems/unknown-deployment"));
        startUpgrade("f-refusals", "{\"instanceSize\": \"medium\"}", false)
                .then()
                .statusCode(422)
                .body("type", equalTo("https://baton.dev/problems/nothing-to-do"));
        given().contentType(ContentType.JSON)
                .body("{\"deployment\": \"f-refusals\", \"kind\": \"spaceship\"}")
                .post(BatonStack.url(Service.PLANNER) + "/upgrades")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("kind"));
        given().contentType(ContentType.JSON)
                .body(
                        "{\"deployment\": \"f-refusals\", \"kind\": \"database\", \"change\": {\"instanceSize\": \"large\"}}")
                .post(BatonStack.url(Service.PLANNER) + "/upgrades?dryRun=true")
                .then()
                .statusCode(200)
                .body("dryRun", equalTo(true))
                .body("plan.size()", equalTo(10));
        assertThat(given().get(BatonStack.url(Service.PLANNER) + "/upgrades?deployment=f-refusals")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList(""))
                .as("a dry run writes nothing")
                .isEmpty();

        String id = start("f-refusals", "{\"instanceSize\": \"large\"}", true);
        startUpgrade("f-refusals", "{\"zone\": \"eu-west-c\"}", false)
                .then()
                .statusCode(409)
                .body("type", equalTo("https://baton.dev/problems/deployment-busy"))
                .body("detail", containsString(id));
        awaitState(id, timeout(), "AWAITING_APPROVAL");
        given().post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/approve")
                .then()
                .statusCode(200);
        awaitState(id, timeout(), "COMPLETED");
        given().post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/approve")
                .then()
                .statusCode(409)
                .body("type", equalTo("https://baton.dev/problems/not-awaiting-approval"));
        assertThat(upgrade(id).getList("events.type")).contains("baton.planner.upgrade-approved.v1");
    }

    interface Interruption {
        void apply() throws Exception;
    }

    /** Starts an upgrade, interrupts db-upgrade-service while it waits for catch-up, restarts it, and waits. */
    static String upgradeThroughARestartDuringCatchUp(String deployment, Interruption interruption) throws Exception {
        register(deployment);
        fault(Service.DB, "{\"step\":\"AWAIT_CATCH_UP\",\"deployment\":\"" + deployment + "\",\"delayMillis\":60000}");
        String id = start(deployment, "{\"instanceSize\": \"large\"}", false);
        awaitStepOutcome(id, 2, "RUNNING", timeout());
        interruption.apply();
        stack.startService(Service.DB);
        stack.awaitReady(Service.DB, Duration.ofSeconds(60));
        assertThat(awaitState(id, timeout(), "COMPLETED", "ROLLED_BACK", "FAILED")
                        .getString("state"))
                .isEqualTo("COMPLETED");
        return id;
    }

    static Service service(Owner owner) {
        return switch (owner) {
            case PLANNER -> Service.PLANNER;
            case CLOUD -> Service.CLOUD;
            case DB -> Service.DB;
            case LB -> Service.LB;
        };
    }
}
