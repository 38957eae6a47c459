package io.baton.e2e;

import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.deployment;
import static io.baton.e2e.BatonStack.fault;
import static io.baton.e2e.BatonStack.url;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Wait;
import io.baton.infra.KafkaProbe;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.load.LocalDeployment;
import io.baton.launcher.load.WriteLoad;
import io.baton.local.Engines;
import io.baton.local.LocalFleet;
import io.baton.local.Secrets;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The database runbook on real PostgreSQL and MariaDB servers of the local cloud, while an application keeps
 * writing through the write path: the upgrade completes (or, with a failure after promotion, switches back) and
 * every acknowledged write is on the final master.
 */
class RealDatabaseUpgradeIT {

    private static final Duration UPGRADE_TIMEOUT = Duration.ofMinutes(3);

    private static Path root;

    @BeforeAll
    static void up() throws Exception {
        List<String> missing = new java.util.ArrayList<>(Engines.missingTools(Engines.POSTGRESQL));
        missing.addAll(Engines.missingTools(Engines.MARIADB));
        root = BatonStack.localCloud(missing);
    }

    @AfterAll
    static void down() throws Exception {
        if (root != null) {
            BatonStack.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Engines.POSTGRESQL, Engines.MARIADB})
    void upgradesUnderWriteLoadWithoutLosingAWrite(String engine) throws Exception {
        String deployment = register(engine, "up");
        JsonPath before = deployment(deployment);
        WriteLoad load = writeLoad(deployment, engine);
        String id = BatonStack.start(deployment, "{\"instanceSize\":\"large\"}", false);
        JsonPath done = awaitState(id, UPGRADE_TIMEOUT, "COMPLETED", "FAILED", "ROLLED_BACK");
        WriteLoad.Result figures = load.finish();

        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("COMPLETED");
        JsonPath after = deployment(deployment);
        String master = live(after, "MASTER");
        String slave = live(after, "SLAVE");
        assertThat(master).isNotIn(address(before, "db-1"), address(before, "db-2"));
        assertThat(load.missingOn(master))
                .as("acknowledged writes missing on the new master")
                .isEmpty();
        if (Engines.POSTGRESQL.equals(engine)) {
            assertThat(figures.failed()).as("writes PgBouncer failed").isZero();
        }
        assertThat(figures.acknowledged()).isGreaterThan(100);
        assertThat(writePath(deployment).getString("master")).isEqualTo(master);

        for (String old : List.of("db-1", "db-2")) {
            assertThat(after.getString("servers.find { it.name == '" + old + "' }.state"))
                    .isEqualTo("TERMINATED");
            String serverId = after.getString("servers.find { it.name == '" + old + "' }.id");
            assertThat(localFleet().find(serverId))
                    .as(old + "'s process and data")
                    .isEmpty();
        }
        awaitSameRows(load, master, slave);
        JsonPath replication = given().get(url(Service.DB) + "/replication/" + deployment)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        String masterId = after.getString("servers.find { it.address == '" + master + "' }.id");
        assertThat(replication.getString("writePath")).isEqualTo(masterId);
        assertThat(replication.getString("nodes.find { it.address == '" + slave + "' }.replicaOf"))
                .isEqualTo(masterId);

        Map<String, String> proof = done.getMap("steps.find { it.name == 'PROMOTE' }.details");
        assertThat(proof).containsKeys("oldMasterFinalPosition", "newMasterAppliedPosition", "writeFenceMillis");
        assertThat(Long.parseLong(proof.get("writeFenceMillis"))).isBetween(0L, 5_000L);
        try (KafkaProbe kafka = new KafkaProbe(BatonStack.running().bootstrapServers())) {
            assertThat(kafka.readAll("baton.db.events").stream()
                            .filter(r -> id.equals(r.key()) && r.type().equals("baton.db.master-promoted.v1"))
                            .map(KafkaProbe.Record::value))
                    .singleElement()
                    .asString()
                    .contains(proof.get("oldMasterFinalPosition"), proof.get("newMasterAppliedPosition"));
        }
        System.out.printf(
                "%s upgrade under load: %d writes acknowledged, %d failed, 0 lost; longest stall %d ms, p99 %.1f ms;"
                        + " proof %s%n",
                engine,
                figures.acknowledged(),
                figures.failed(),
                figures.maxStallMillis(),
                figures.p99LatencyMillis(),
                proof);
    }

    /** Every point of the switchover where a drill can halt db-upgrade-service, per engine. */
    static final List<String> POSTGRESQL_POINTS = List.of(
            "fencing", "paused", "old-stopped", "final-position", "promoting", "promoted", "repointed", "resumed");

    static final List<String> MARIADB_POINTS =
            List.of("fencing", "fenced", "final-position", "promoting", "promoted", "repointed");

    /**
     * The points the suite kills db-upgrade-service at, or every one of them with {@code -Dbaton.every-phase=true}
     * (about twice as long).
     */
    static Stream<Arguments> points(List<String> postgresql, List<String> mariadb) {
        boolean every = Boolean.getBoolean("baton.every-phase");
        return Stream.concat(
                (every ? POSTGRESQL_POINTS : postgresql).stream().map(p -> Arguments.of(Engines.POSTGRESQL, p)),
                (every ? MARIADB_POINTS : mariadb).stream().map(p -> Arguments.of(Engines.MARIADB, p)));
    }

    static Stream<Arguments> restartPoints() {
        return points(
                List.of("paused", "final-position", "promoting", "promoted"),
                List.of("fenced", "promoting", "promoted"));
    }

    static Stream<Arguments> takeoverPoints() {
        return points(List.of("paused", "promoted"), List.of("fenced", "promoting"));
    }

    /**
     * db-upgrade-service dies (halted as kill -9 would: no shutdown hook) at a point of the switchover, with writers
     * running; it is started again, as a supervisor would. Before promotion its restart gives the writes back to the
     * old master and switches over anew; from promotion on it finishes. Either way the upgrade completes, no
     * acknowledged write is lost, writes flow, and what the planner and the replication view say is the fleet.
     */
    @ParameterizedTest(name = "{0} killed at {1}")
    @MethodSource("restartPoints")
    void dbUpgradeServiceKilledInTheSwitchoverLeavesWritesFlowing(String engine, String point) throws Exception {
        String deployment = register(engine, "crash-" + point);
        WriteLoad load = writeLoad(deployment, engine);
        Stack stack = BatonStack.running();
        BatonStack.fault(
                Service.DB,
                "{\"step\":\"PROMOTE\",\"deployment\":\"" + deployment + "\",\"crashAt\":\"" + point + "\"}");
        String id = BatonStack.start(deployment, "{\"instanceSize\":\"large\"}", false);
        long flowingAfterMillis = writesFlowAfterDeath(stack.pid(Service.DB), "db-upgrade-service", point, load, () -> {
            stack.startService(Service.DB);
            stack.awaitReady(Service.DB, Duration.ofSeconds(90));
        });
        WriteLoad.Result figures = assertCompletedWithEveryWrite(engine, deployment, id, load);
        assertThat(flowingAfterMillis)
                .as("writes flow again this long after db-upgrade-service died (its restart included)")
                .isLessThan(60_000L);
        System.out.printf(
                "%s, db-upgrade-service killed at %s: writes flowing %d ms after its death (restart included);"
                        + " %d acknowledged, %d failed, 0 lost; longest stall %d ms%n",
                engine, point, flowingAfterMillis, figures.acknowledged(), figures.failed(), figures.maxStallMillis());
    }

    /**
     * The upgrade completed; every acknowledged write is on the new master, which alone takes writes, behind the write
     * path, as db-upgrade-service and cloud-service both say.
     */
    private static WriteLoad.Result assertCompletedWithEveryWrite(
            String engine, String deployment, String id, WriteLoad load) throws Exception {
        JsonPath done = awaitState(id, UPGRADE_TIMEOUT, "COMPLETED", "FAILED", "ROLLED_BACK", "COMPENSATION_FAILED");
        WriteLoad.Result figures = load.finish();

        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("COMPLETED");
        JsonPath after = deployment(deployment);
        String master = live(after, "MASTER");
        assertThat(load.missingOn(master))
                .as("acknowledged writes missing on the new master")
                .isEmpty();
        assertThat(writePath(deployment).getString("master")).isEqualTo(master);
        String masterId = after.getString("servers.find { it.address == '" + master + "' }.id");
        JsonPath replication = given().get(url(Service.DB) + "/replication/" + deployment)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(replication.getString("writePath"))
                .as("where writes go, per db-upgrade-service")
                .isEqualTo(masterId);
        assertThat(replication.getList("nodes.findAll { it.replicaOf == null && it.running }.id"))
                .as("one writable master")
                .containsExactly(masterId);
        if (Engines.POSTGRESQL.equals(engine)) {
            assertThat(figures.failed()).as("writes PgBouncer failed").isZero();
        }
        return figures;
    }

    /**
     * db-upgrade-service runs two replicas; the one that runs the switchover dies (halted as kill -9 would) at a point
     * of it, with writers running, and is not started again: the other claims the step once its lease has passed
     * (baton.saga.lease, 10 s by default, and a sweep, 5 s) and ends the switchover. Writes flow again within that
     * bound, nothing acknowledged is lost, and the upgrade completes.
     */
    @ParameterizedTest(name = "{0} killed at {1}, the second replica takes over")
    @MethodSource("takeoverPoints")
    void aSecondReplicaEndsTheSwitchoverOfOneKilledInIt(String engine, String point) throws Exception {
        String deployment = register(engine, "takeover-" + point);
        WriteLoad load = writeLoad(deployment, engine);
        Stack stack = BatonStack.running();
        Stack.Replica second = new Stack.Replica(Service.DB, 1);
        stack.startReplica(second);
        try {
            stack.awaitReady(second, Duration.ofSeconds(120));
            // the switchover waits a moment on either replica, long enough to be told, on the one that runs it, where
            // to die; the other forgets the wait, so that its takeover is not held
            for (Stack.Replica r : stack.replicas(Service.DB)) {
                postFault(
                        stack.url(r),
                        "{\"step\":\"PROMOTE\",\"deployment\":\"" + deployment + "\",\"delayMillis\":3000}");
            }
            String id = BatonStack.start(deployment, "{\"instanceSize\":\"large\"}", false);
            String owner = Wait.forThe("PROMOTE of " + deployment + " to run", UPGRADE_TIMEOUT)
                    .every(Duration.ofMillis(10))
                    .untilValue(() -> BatonStack.executions(Service.DB, id).stream()
                            .filter(x -> "PROMOTE".equals(x.get("name")) && "RUNNING".equals(x.get("state")))
                            .map(x -> (String) x.get("owner"))
                            .findFirst()
                            .orElse(null));
            Stack.Replica holder = stack.replicas(Service.DB).stream()
                    .filter(r -> r.owner().equals(owner))
                    .findFirst()
                    .orElseThrow();
            for (Stack.Replica r : stack.replicas(Service.DB)) {
                if (!r.equals(holder)) {
                    given().delete(stack.url(r) + "/faults").then().statusCode(204);
                }
            }
            postFault(
                    stack.url(holder),
                    "{\"step\":\"PROMOTE\",\"deployment\":\"" + deployment + "\",\"crashAt\":\"" + point + "\"}");
            long flowingAfterMillis = writesFlowAfterDeath(stack.pid(holder), owner, point, load, () -> {});
            WriteLoad.Result figures = assertCompletedWithEveryWrite(engine, deployment, id, load);
            System.out.printf(
                    "%s, the replica %s of db-upgrade-service killed at %s, the other took over: writes flowing %d ms"
                            + " after its death; %d acknowledged, %d failed, 0 lost; longest stall %d ms%n",
                    engine,
                    owner,
                    point,
                    flowingAfterMillis,
                    figures.acknowledged(),
                    figures.failed(),
                    figures.maxStallMillis());
            assertThat(flowingAfterMillis)
                    .as("writes flow again this long after the replica in the switchover died: its lease (10 s),"
                            + " a sweep (5 s) and the switchover's end")
                    .isLessThan(20_000L);
        } finally {
            Stack.Replica first = new Stack.Replica(Service.DB, 0);
            if (!stack.alive(first)) {
                stack.startReplica(first);
                stack.awaitReady(first, Duration.ofSeconds(120));
            }
            if (stack.alive(second)) {
                stack.stop(second);
            }
        }
    }

    interface Afterwards {
        void run() throws Exception;
    }

    /**
     * Waits until the process {@code pid} halted at {@code point}, does {@code afterwards} (a restart, say), and
     * returns how long after the death writes were acknowledged again.
     */
    private static long writesFlowAfterDeath(long pid, String who, String point, WriteLoad load, Afterwards afterwards)
            throws Exception {
        Wait.forThe(who + " to halt at " + point, Duration.ofMinutes(2))
                .every(Duration.ofMillis(10))
                .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        long died = System.nanoTime();
        long ackedAtDeath = load.acknowledgedCount();
        afterwards.run();
        Wait.forThe("writes to flow again after " + who + " died", Duration.ofSeconds(60))
                .every(Duration.ofMillis(10))
                .until(() -> load.acknowledgedCount() > ackedAtDeath + 10);
        return (System.nanoTime() - died) / 1_000_000;
    }

    private static void postFault(String serviceUrl, String rule) {
        given().contentType(ContentType.JSON)
                .body(rule)
                .post(serviceUrl + "/faults")
                .then()
                .statusCode(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {Engines.POSTGRESQL, Engines.MARIADB})
    void aFailureAfterPromotionSwitchesBackWithoutLosingAWrite(String engine) throws Exception {
        String deployment = register(engine, "back");
        JsonPath before = deployment(deployment);
        WriteLoad load = writeLoad(deployment, engine);
        fault(Service.CLOUD, "{\"step\":\"BACKUP_MASTER\",\"deployment\":\"" + deployment + "\"}");
        String id = BatonStack.start(deployment, "{\"instanceSize\":\"large\"}", false);
        JsonPath done = awaitState(id, UPGRADE_TIMEOUT, "COMPLETED", "FAILED", "ROLLED_BACK");
        WriteLoad.Result figures = load.finish();

        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("ROLLED_BACK");
        String oldMaster = address(before, "db-1");
        assertThat(writePath(deployment).getString("master")).isEqualTo(oldMaster);
        assertThat(load.missingOn(oldMaster))
                .as("acknowledged writes missing on the old master")
                .isEmpty();
        if (Engines.POSTGRESQL.equals(engine)) {
            assertThat(figures.failed()).as("writes PgBouncer failed").isZero();
        }
        JsonPath after = deployment(deployment);
        assertThat(after.getList("servers.findAll { it.createdBy == '" + id + "' }"))
                .isEmpty();
        assertThat(localFleet().all().stream().filter(i -> i.deployment().equals(deployment)))
                .extracting(i -> i.name())
                .as("servers running for " + deployment)
                .containsExactlyInAnyOrder("db-1", "db-2");
        awaitSameRows(load, oldMaster, address(before, "db-2"));
        Map<String, String> details = done.getMap("steps.find { it.name == 'PROMOTE' }.details");
        assertThat(details).containsKeys("switchBackFinalPosition", "switchBackAppliedPosition");
        System.out.printf(
                "%s switch back under load: %d writes acknowledged, %d failed, 0 lost; longest stall %d ms; %s%n",
                engine, figures.acknowledged(), figures.failed(), figures.maxStallMillis(), details);
    }

    @org.junit.jupiter.api.Test
    void theServersOutliveARestartOfCloudServiceWhichFindsThemAgain() throws Exception {
        String deployment = register(Engines.POSTGRESQL, "restart");
        JsonPath before = deployment(deployment);
        Stack stack = BatonStack.running();
        stack.kill(Service.CLOUD);
        WriteLoad load = new WriteLoad(
                        Engines.POSTGRESQL,
                        appLogin(deployment, Engines.POSTGRESQL),
                        () -> before.getString("servers.find { it.name == 'db-1' }.address"),
                        LocalDeployment.DATABASE,
                        1_000,
                        Duration.ofSeconds(30),
                        0)
                .start();
        assertThat(load.finish().failed())
                .as("writes while cloud-service is down")
                .isZero();
        stack.startService(Service.CLOUD);
        stack.awaitReady(Service.CLOUD, Duration.ofSeconds(90));

        String id = BatonStack.start(deployment, "{\"instanceSize\":\"large\"}", false);
        JsonPath done = awaitState(id, UPGRADE_TIMEOUT, "COMPLETED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("COMPLETED");
        assertThat(load.missingOn(live(deployment(deployment), "MASTER"))).isEmpty();
    }

    private static String register(String engine, String purpose) {
        String name = (Engines.MARIADB.equals(engine) ? "maria-" : "pg-") + purpose;
        given().contentType(ContentType.JSON)
                .body(LocalDeployment.json(name, engine))
                .post(url(Service.CLOUD) + "/deployments")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201);
        return name;
    }

    /** The deployment's application login, from the local cloud's passwords. */
    private static Secrets.Login appLogin(String deployment, String engine) throws Exception {
        return new LocalFleet(root, LocalFleet.Settings.defaults())
                .secrets()
                .of(deployment, engine)
                .app();
    }

    /** Starts writing through the write path and returns once writes are being acknowledged. */
    private static WriteLoad writeLoad(String deployment, String engine) throws Exception {
        WriteLoad load = new WriteLoad(
                        engine,
                        appLogin(deployment, engine),
                        () -> writePath(deployment).getString("address"),
                        LocalDeployment.DATABASE,
                        200_000,
                        Duration.ofMinutes(4),
                        1_000)
                .start();
        awaitQuietly(
                Wait.forThe("50 acknowledged writes", Duration.ofSeconds(10)), () -> load.acknowledgedCount() >= 50);
        assertThat(load.acknowledgedCount())
                .as("writes before the upgrade; last error " + load.lastError())
                .isGreaterThanOrEqualTo(50);
        return load;
    }

    /** Waits for a condition the assertion after it then checks, with its own message. */
    private static void awaitQuietly(Wait wait, Wait.Condition<Exception> condition) throws Exception {
        try {
            wait.every(Duration.ofMillis(20)).until(condition);
        } catch (Wait.Unfinished checkedNext) {
            // the assertion that follows says what is missing
        }
    }

    private static void awaitSameRows(WriteLoad load, String master, String replica) throws Exception {
        long onMaster = load.rowsOn(master);
        awaitQuietly(
                Wait.forThe("the replica to have the master's rows", Duration.ofSeconds(15)),
                () -> load.rowsOn(replica) == onMaster);
        long onReplica = load.rowsOn(replica);
        assertThat(onReplica)
                .as("rows on the replica " + replica + " against its master")
                .isEqualTo(onMaster);
    }

    private static JsonPath writePath(String deployment) {
        return given().get(url(Service.CLOUD) + "/deployments/" + deployment + "/write-path")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static String live(JsonPath deployment, String role) {
        return Objects.requireNonNull(
                deployment.getString("servers.find { it.role == '" + role + "' && it.state != 'TERMINATED' }.address"));
    }

    private static String address(JsonPath deployment, String name) {
        return deployment.getString("servers.find { it.name == '" + name + "' }.address");
    }

    private static LocalFleet localFleet() {
        return new LocalFleet(root, LocalFleet.Settings.defaults());
    }
}
