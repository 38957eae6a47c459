package io.baton.db;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.baton.contracts.facts.DatabaseFacts.Candidate;
import io.baton.contracts.facts.DatabaseFacts.MasterPromoted;
import io.baton.contracts.facts.Facts;
import io.baton.db.replication.ReplicationDriver.Node;
import io.baton.db.replication.sim.SimReplication;
import io.baton.infra.BatonTestInfra;
import io.baton.infra.KafkaProbe;
import io.baton.saga.StepFailedException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_db"))
class DbUpgradeServiceTest {

    static KafkaProbe kafka;

    @Inject
    SimReplication replication;

    @BeforeAll
    static void probe() {
        kafka = new KafkaProbe(BatonTestInfra.bootstrapServers());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @Test
    void waitsForCatchUpThenPromotesBehindAFenceWithAProofOfZeroLoss() {
        String deployment = "shop-" + UUID.randomUUID().toString().substring(0, 8);
        String upgradeId = UUID.randomUUID().toString();
        Topology topology = new Topology(
                "m-" + upgradeId, "db-1", "db-1.sim:5432", "s-" + upgradeId, "db-2", "db-2.sim:5432", null);
        ServerConfig change = new ServerConfig(null, null, null, null, null, "large", null, null, null, null);
        List<StepName> names =
                List.of(StepName.CREATE_SLAVE, StepName.LAUNCH_SLAVE, StepName.AWAIT_CATCH_UP, StepName.PROMOTE);
        List<SlipStep> steps = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            steps.add(SlipStep.pending(i, names.get(i), false)
                    .withStatus(i < 2 ? StepStatus.COMPLETED : StepStatus.PENDING));
        }
        RoutingSlip slip =
                new RoutingSlip(steps, Facts.write(new Candidate("c-" + upgradeId, "db-3", "db-3.sim:5432")));
        SagaEvent launched = new SagaEvent(
                upgradeId,
                deployment,
                UpgradeKind.DATABASE,
                Phase.STEP_COMPLETED,
                1,
                null,
                slip,
                new UpgradeSpec(new DatabaseUpgrade(Classification.MINOR, "size", change, change, topology), false),
                Instant.now());
        requestOf(launched);
        kafka.sendCloudEvent(
                Owner.CLOUD.topic(), upgradeId, launched.type(Owner.CLOUD), Owner.CLOUD.source(), Json.write(launched));

        List<KafkaProbe.Record> records = kafka.await(
                rs -> rs.stream()
                        .anyMatch(r -> upgradeId.equals(r.key()) && r.type().equals("baton.db.master-promoted.v1")),
                Duration.ofSeconds(30),
                Owner.DB.topic());
        List<String> types = records.stream()
                .filter(r -> upgradeId.equals(r.key()))
                .map(KafkaProbe.Record::type)
                .toList();
        assertThat(types)
                .containsExactly(
                        "baton.db.step-started.v1",
                        "baton.db.replica-caught-up.v1",
                        "baton.db.step-started.v1",
                        "baton.db.master-promoted.v1");
        SagaEvent promoted = records.stream()
                .filter(r -> upgradeId.equals(r.key()) && r.type().equals("baton.db.master-promoted.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
        MasterPromoted proof = promoted.slip().facts(MasterPromoted.class);
        assertThat(proof.newMasterAppliedPosition()).isEqualTo(proof.oldMasterFinalPosition());
        assertThat(proof.writeFenceMillis()).isLessThan(1_000);

        JsonPath view = given().get("/replication/" + deployment)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(view.getString("writePath")).isEqualTo("c-" + upgradeId);
        assertThat(view.getString("nodes.find { it.name == 'db-1' }.replicaOf")).isEqualTo("c-" + upgradeId);
        assertThat(view.getString("nodes.find { it.name == 'db-3' }.replicaOf")).isNull();
    }

    @Test
    void promotionIsRefusedWhileTheCandidateIsBehindAndWritesResume() throws Exception {
        String deployment = "behind-" + UUID.randomUUID().toString().substring(0, 8);
        Node master = new Node("m-" + deployment, "db-1", "db-1.sim:5432");
        Node candidate = new Node("c-" + deployment, "db-3", "db-3.sim:5432");
        assertThatThrownBy(() ->
                        replication.awaitCatchUp(deployment, master, candidate, Duration.ofMillis(50), () -> false))
                .isInstanceOf(StepFailedException.class)
                .hasMessageContaining("did not catch up");
        assertThatThrownBy(() -> replication.switchover(deployment, master, candidate, Duration.ofMillis(30)))
                .isInstanceOf(StepFailedException.class)
                .hasMessageContaining("promotion refused");
        assertThat(replication.writePath(deployment)).isEqualTo(master.id());
        long before = replication.position(master.id(), Instant.now());
        Thread.sleep(100);
        assertThat(replication.position(master.id(), Instant.now()))
                .as("the master takes writes again")
                .isGreaterThan(before);
    }

    @Test
    void runsTheMigrationsAfterTheBackupAndRevertsThemOnRollback() {
        String deployment = "mig-" + UUID.randomUUID().toString().substring(0, 8);
        String upgradeId = UUID.randomUUID().toString();
        List<io.baton.contracts.Migration> migrations = List.of(
                new io.baton.contracts.Migration(
                        "notes", "CREATE TABLE order_notes (id bigint, body text)", "DROP TABLE order_notes"),
                new io.baton.contracts.Migration(
                        "note column",
                        "ALTER TABLE orders ADD COLUMN note text",
                        "ALTER TABLE orders DROP COLUMN note"));
        io.baton.contracts.ApplicationUpgrade app = new io.baton.contracts.ApplicationUpgrade(
                "https://git/x.git",
                "v2",
                Map.of(),
                null,
                migrations,
                Duration.ofMinutes(5),
                io.baton.contracts.ApplicationUpgrade.DrainMode.DRAIN_STATE,
                new io.baton.contracts.ApplicationUpgrade.SmokeTest("/", 200));
        List<StepName> names = List.of(StepName.BACKUP_DATABASE, StepName.RUN_MIGRATIONS, StepName.SAVE_INPUTS);
        List<SlipStep> steps = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            steps.add(SlipStep.pending(i, names.get(i), false)
                    .withStatus(i == 0 ? StepStatus.COMPLETED : StepStatus.PENDING));
        }
        SagaEvent backedUp = new SagaEvent(
                upgradeId,
                deployment,
                UpgradeKind.APPLICATION,
                Phase.STEP_COMPLETED,
                0,
                null,
                new RoutingSlip(steps, Map.of()),
                new UpgradeSpec(null, app, false),
                Instant.now());
        requestOf(backedUp);
        kafka.sendCloudEvent(
                Owner.CLOUD.topic(), upgradeId, backedUp.type(Owner.CLOUD), Owner.CLOUD.source(), Json.write(backedUp));

        List<KafkaProbe.Record> records = kafka.await(
                rs -> rs.stream()
                        .anyMatch(r -> upgradeId.equals(r.key()) && r.type().equals("baton.db.migrations-applied.v1")),
                Duration.ofSeconds(30),
                Owner.DB.topic());
        assertThat(given().get("/migrations/" + deployment)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("name"))
                .containsExactly("notes", "note column");

        SagaEvent applied = records.stream()
                .filter(r -> upgradeId.equals(r.key()) && r.type().equals("baton.db.migrations-applied.v1"))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
        SagaEvent failed = applied.next(
                Phase.STEP_FAILED, 2, "disk full", applied.slip().withStatus(2, StepStatus.FAILED), Instant.now());
        kafka.sendCloudEvent(
                Owner.CLOUD.topic(), upgradeId, failed.type(Owner.CLOUD), Owner.CLOUD.source(), Json.write(failed));
        kafka.await(
                rs -> rs.stream()
                        .anyMatch(r -> upgradeId.equals(r.key()) && r.type().equals("baton.db.step-compensated.v1")),
                Duration.ofSeconds(30),
                Owner.DB.topic());
        assertThat(given().get("/migrations/" + deployment)
                        .then()
                        .extract()
                        .jsonPath()
                        .getList(""))
                .isEmpty();
    }

    /**
     * The planner's request of the upgrade an event belongs to (the same plan): a service acts only on events of an
     * upgrade it saw requested. Its first step is cloud-service's, so db-upgrade-service only records the plan.
     */
    private void requestOf(SagaEvent e) {
        SagaEvent request = new SagaEvent(
                e.upgradeId(), e.deployment(), e.kind(), Phase.REQUESTED, -1, null, e.slip(), e.spec(), e.occurredAt());
        kafka.sendCloudEvent(
                Owner.PLANNER.topic(),
                e.upgradeId(),
                request.type(Owner.PLANNER),
                Owner.PLANNER.source(),
                Json.write(request));
    }
}
