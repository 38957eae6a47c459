package io.baton.lb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.infra.BatonTestInfra;
import io.baton.infra.KafkaProbe;
import io.baton.infra.Refusals;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.sim.SimLoadBalancer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_lb"))
class LbServiceTest {

    @Inject
    SimLoadBalancer lb;

    @Test
    void isReadyAndSendsWhatIsNotASagaEventToItsDeadLetterTopic() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            kafka.sendRaw(Owner.DB.topic(), "k", "{not json");
            kafka.await(records -> !records.isEmpty(), Duration.ofSeconds(30), Owner.LB.deadLetterTopic());
        }
    }

    /**
     * Members whose names or addresses would reach HAProxy's runtime API (where ';' separates commands) or haproxy.cfg
     * are refused with a problem before anything changes.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no body||servers",
                "a null body|null|servers",
                "no members|{}|servers",
                "a command in an address|{\"app-9\":\"10.0.0.9:8080;shutdown sessions server app/app-1\"}|host:port",
                "a port past 65535|{\"app-9\":\"10.0.0.9:70000\"}|host:port",
                "a newline in a name|{\"app\\n9\":\"10.0.0.9:8080\"}|servers",
                "a space in a name|{\"app 9\":\"10.0.0.9:8080\"}|servers",
                "a null address|{\"app-9\":null}|servers"
            })
    void hostileMembersAreRefusedAndChangeNothing(String what, String body, String named) {
        String before = given().get("/balancer/lb-hostile")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        var request = given().contentType(ContentType.JSON);
        if (body != null) {
            request = request.body(body);
        }
        var answer = request.post("/balancer/lb-hostile/members");
        Refusals.assertBadRequest(what, answer.statusCode(), answer.contentType(), answer.asString(), named);
        assertThat(given().get("/balancer/lb-hostile").then().extract().asString())
                .as(what + " changes nothing")
                .isEqualTo(before);
    }

    /**
     * Each service writes only its own topic and speaks only of its own steps; the planner alone requests an upgrade.
     * Records that say otherwise are dead-lettered, whatever the ACLs let through, and change nothing here.
     */
    @Test
    void eventsFromAServiceThatMayNotSayThemAreDeadLettered() {
        SagaEvent requested =
                LbSagaTest.requested("lb-forged", ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(1));
        String json = Json.write(requested);
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            // the planner's words on db-upgrade-service's topic
            kafka.sendCloudEvent(
                    Owner.DB.topic(), "forged-1", requested.type(Owner.PLANNER), Owner.PLANNER.source(), json);
            // db-upgrade-service requesting an upgrade, on its own topic and in its own name
            kafka.sendCloudEvent(
                    Owner.DB.topic(), "forged-2", "baton.db.upgrade-requested.v1", Owner.DB.source(), json);
            kafka.await(
                    records -> records.stream()
                            .map(KafkaProbe.Record::key)
                            .toList()
                            .containsAll(List.of("forged-1", "forged-2")),
                    Duration.ofSeconds(30),
                    Owner.LB.deadLetterTopic());
        }
        given().get("/executions/" + requested.upgradeId())
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
    }

    /**
     * Records no service could store or should believe go to the dead-letter topic with the reason, one by one, and
     * the consumer goes on: a saga requested after them still runs.
     */
    @Test
    void poisonRecordsAreDeadLetteredWithTheReasonAndSagasGoOn() {
        SagaEvent good =
                LbSagaTest.requested("lb-poison", ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(1));
        String json = Json.write(good);
        String type = good.type(Owner.PLANNER);
        String source = Owner.PLANNER.source();
        String topic = Owner.PLANNER.topic();
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            kafka.sendCloudEvent(topic, "poison-long-id", "x".repeat(300), type, source, json);
            kafka.sendCloudEvent(topic, "poison-id-newline", "id\nwith a line break", type, source, json);
            kafka.sendCloudEvent(topic, "poison-nul", type, source, json.replace("\"v2\"", "\"v\\u00002\""));
            kafka.sendBytes(topic, "poison-encoding", type, source, latin1(json.replace("v2", "v\u00e92")));
            kafka.sendCloudEvent(
                    topic, "poison-upgrade-id", type, source, json.replace(good.upgradeId(), "x".repeat(300)));
            kafka.sendCloudEvent(
                    topic, "poison-deployment", type, source, json.replace("\"lb-poison\"", "\"../../etc\""));
            kafka.sendCloudEvent(topic, "poison-actor", type, source, Json.write(good.by("a".repeat(300))));
            kafka.sendCloudEvent(topic, "poison-step", type, source, json.replace("\"step\":-1", "\"step\":99"));
            Map<String, String> expected = Map.of(
                    "poison-long-id", "ce_id is 300 characters",
                    "poison-id-newline", "ce_id holds control characters",
                    "poison-nul", "NUL character",
                    "poison-encoding", "not UTF-8",
                    "poison-upgrade-id", "not an upgrade id",
                    "poison-deployment", "not a deployment name",
                    "poison-actor", "actor is 300 characters",
                    "poison-step", "not in its routing slip");
            List<KafkaProbe.Record> letters = kafka.await(
                    records -> records.stream()
                            .map(KafkaProbe.Record::key)
                            .toList()
                            .containsAll(expected.keySet()),
                    Duration.ofSeconds(30),
                    Owner.LB.deadLetterTopic());
            expected.forEach((key, reason) -> assertThat(
                            letters.stream().filter(r -> key.equals(r.key())).map(r -> r.ce().get(
                                            "dead-letter-reason")))
                    .as(key)
                    .anyMatch(r -> r != null && r.contains(reason)));
            // the consumer went on: a good request after the poison is acted on
            kafka.sendCloudEvent(topic, good.upgradeId(), type, source, json);
            kafka.await(
                    records -> records.stream().anyMatch(r -> good.upgradeId().equals(r.key())),
                    Duration.ofSeconds(30),
                    Owner.LB.topic());
        }
    }

    /**
     * Each service keeps the plan it first saw: a later event for the same upgrade that carries another plan (another
     * deployment, another request) is dead-lettered and changes nothing, even in the planner's name.
     */
    @Test
    void anEventWithAnotherPlanThanTheFirstIsDeadLettered() {
        SagaEvent requested =
                LbSagaTest.requested("lb-plan", ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(1));
        SagaEvent other =
                LbSagaTest.requested("lb-plan", ApplicationUpgrade.DrainMode.HEALTH_CHECK_FILE, Duration.ofMinutes(1));
        String type = requested.type(Owner.PLANNER);
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            kafka.sendCloudEvent(
                    Owner.PLANNER.topic(), requested.upgradeId(), type, Owner.PLANNER.source(), Json.write(requested));
            kafka.await(
                    records ->
                            records.stream().anyMatch(r -> requested.upgradeId().equals(r.key())),
                    Duration.ofSeconds(30),
                    Owner.LB.topic());
            // the same upgrade, with another drain mode; then with another deployment
            SagaEvent otherRequest = new SagaEvent(
                    requested.upgradeId(),
                    requested.deployment(),
                    requested.kind(),
                    requested.phase(),
                    -1,
                    null,
                    requested.slip(),
                    other.spec(),
                    requested.occurredAt());
            SagaEvent otherDeployment = new SagaEvent(
                    requested.upgradeId(),
                    "lb-elsewhere",
                    requested.kind(),
                    requested.phase(),
                    -1,
                    null,
                    requested.slip(),
                    requested.spec(),
                    requested.occurredAt());
            kafka.sendCloudEvent(
                    Owner.PLANNER.topic(), "plan-request", type, Owner.PLANNER.source(), Json.write(otherRequest));
            kafka.sendCloudEvent(
                    Owner.PLANNER.topic(),
                    "plan-deployment",
                    type,
                    Owner.PLANNER.source(),
                    Json.write(otherDeployment));
            List<KafkaProbe.Record> letters = kafka.await(
                    records -> records.stream()
                            .map(KafkaProbe.Record::key)
                            .toList()
                            .containsAll(List.of("plan-request", "plan-deployment")),
                    Duration.ofSeconds(30),
                    Owner.LB.deadLetterTopic());
            assertThat(letters.stream().filter(r -> r.key().startsWith("plan-")).map(r -> r.ce().get(
                                    "dead-letter-reason")))
                    .allMatch(reason -> reason.contains("another plan"));
        }
    }

    /**
     * Only the planner's request makes an upgrade known. cloud-service's report of a step that hands the baton to
     * lb-service is not acted on for an upgrade never requested, and goes to the dead-letter topic once
     * {@code baton.saga.park-timeout} (5 s in tests) has passed; the same report arriving before its request (topics
     * are read in no set order) waits for it and is acted on when it comes.
     */
    @Test
    void aReportOfAnUpgradeNeverRequestedIsNotActedOnAndOneAheadOfItsRequestWaitsForIt() throws Exception {
        SagaEvent forged = handingToLb("lb-never");
        SagaEvent early = handingToLb("lb-early");
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            for (SagaEvent request : List.of(forged, early)) {
                lb.addReady(request.deployment(), "app-1", "app-1:80");
                SagaEvent launched = request.next(
                        Phase.STEP_COMPLETED,
                        0,
                        null,
                        request.slip().withStatus(0, StepStatus.COMPLETED),
                        Instant.now());
                kafka.sendCloudEvent(
                        Owner.CLOUD.topic(),
                        request.upgradeId(),
                        launched.type(Owner.CLOUD),
                        Owner.CLOUD.source(),
                        Json.write(launched));
            }
            Thread.sleep(1_500);
            for (SagaEvent request : List.of(forged, early)) {
                given().get("/executions/" + request.upgradeId())
                        .then()
                        .statusCode(200)
                        .body("size()", equalTo(0));
            }

            LbSagaTest.request(kafka, early);
            kafka.await(
                    rs -> rs.stream()
                            .anyMatch(r -> early.upgradeId().equals(r.key())
                                    && r.type().equals("baton.lb.servers-attached.v1")),
                    Duration.ofSeconds(30),
                    Owner.LB.topic());

            List<KafkaProbe.Record> letters = kafka.await(
                    rs -> rs.stream().anyMatch(r -> forged.upgradeId().equals(r.key())),
                    Duration.ofSeconds(30),
                    Owner.LB.deadLetterTopic());
            assertThat(letters.stream()
                            .filter(r -> forged.upgradeId().equals(r.key()))
                            .map(r -> r.ce().get("dead-letter-reason")))
                    .singleElement()
                    .satisfies(reason -> assertThat(reason).contains("never saw requested"));
            assertThat(letters)
                    .as("the early report was acted on, not dead-lettered")
                    .noneMatch(r -> early.upgradeId().equals(r.key()));
        }
        given().get("/executions/" + forged.upgradeId()).then().statusCode(200).body("size()", equalTo(0));
        assertThat(lb.members(forged.deployment()))
                .extracting(LoadBalancer.Member::server)
                .containsExactly("app-1");
    }

    /** A request whose first step is cloud-service's launch and whose second is lb-service's attach. */
    private static SagaEvent handingToLb(String prefix) {
        return LbSagaTest.twoSteps(
                prefix + "-" + UUID.randomUUID().toString().substring(0, 8),
                StepName.LAUNCH_APP_SERVERS,
                StepName.ATTACH_NEW_SERVERS);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
