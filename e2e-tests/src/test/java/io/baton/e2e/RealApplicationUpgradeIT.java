package io.baton.e2e;

import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.deployment;
import static io.baton.e2e.BatonStack.fault;
import static io.baton.e2e.BatonStack.upgrade;
import static io.baton.e2e.BatonStack.url;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Wait;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.load.HttpLoad;
import io.baton.launcher.load.LocalSite;
import io.baton.local.Engines;
import io.baton.local.LocalFleet;
import io.baton.local.Os;
import io.baton.local.Secrets;
import io.baton.local.Sql;
import io.baton.local.WritePath;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application runbook on the local cloud: demo-application servers behind a real HAProxy driven through its
 * runtime API, upgraded while clients keep sending requests through the balancer. No request may fail.
 */
class RealApplicationUpgradeIT {

    private static final Duration UPGRADE_TIMEOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Path root;

    @BeforeAll
    static void up() throws Exception {
        List<String> missing = new ArrayList<>(Engines.missingTools(Engines.POSTGRESQL));
        if (!Os.installed("haproxy")) {
            missing.add("haproxy");
        }
        root = BatonStack.localCloud(missing);
    }

    @AfterAll
    static void down() throws Exception {
        if (root != null) {
            BatonStack.close();
        }
    }

    @Test
    void upgradesBehindHaproxyWithoutAFailedRequest() throws Exception {
        String site = register("site-up");
        String balancer = "http://" + address(site, "lb-1");
        HttpLoad load = startLoad(balancer);
        String id = start(site);
        load.phase("during");
        List<CompletableFuture<HttpResponse<String>>> longRequests = longRequestsWhenAttaching(id, balancer);
        JsonPath done = awaitState(id, UPGRADE_TIMEOUT, "COMPLETED", "FAILED", "ROLLED_BACK");
        load.phase("after");
        Thread.sleep(1_500);
        load.finish();

        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("COMPLETED");
        assertThat(load.failures())
                .as("failed requests; last error " + load.lastError())
                .isEmpty();
        assertThat(load.figures("after").versions())
                .as("versions answering after the upgrade")
                .containsOnlyKeys("v1.5.0");
        for (var r : longRequests) {
            HttpResponse<String> response = r.get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Version"))
                    .as("a long request in flight on an old server")
                    .hasValue("v1.4.2");
        }
        HttpResponse<String> db = HTTP.send(
                HttpRequest.newBuilder(URI.create(balancer + "/db"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(db.body())
                .as("a new server writes through PgBouncer with the deployment's application password")
                .startsWith("visits ");
        assertThat(db.statusCode()).isEqualTo(200);
        Map<String, String> drain = done.getMap("steps.find { it.name == 'AWAIT_SESSIONS_DRAINED' }.details");
        assertThat(drain).containsEntry("drained", "true").containsEntry("sessionsCut", "0");
        assertThat(Long.parseLong(drain.get("drainMillis")))
                .as("the drain ended when sessions reached 0, not at the 60 s TTL")
                .isBetween(2_000L, 30_000L);
        JsonPath fleet = deployment(site);
        for (String old : List.of("app-1", "app-2")) {
            assertThat(fleet.getString("servers.find { it.name == '" + old + "' }.state"))
                    .isEqualTo("TERMINATED");
        }
        String config = Files.readString(haproxyConfig(site));
        assertThat(config)
                .as("HAProxy's configuration file keeps the membership")
                .doesNotContain("server app-1 ")
                .doesNotContain("server app-2 ")
                .contains("server app-3 ", "server app-4 ");
        assertThat(given().get(url(Service.DB) + "/migrations/" + site)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("findAll { it.upgradeId == '" + id + "' && it.state == 'applied' }.name"))
                .as("the schema history in the application's database")
                .containsExactly(LocalSite.ORDER_NOTES.name());
        assertThat(orderNotes(site)).as("the migration's table on the master").isTrue();
        assertThat(done.getMap("steps.find { it.name == 'RUN_MIGRATIONS' }.details"))
                .containsEntry("migrationsRun", "1")
                .containsEntry("lockTimeouts", "0");
        report("upgrade", load, drain);
    }

    @Test
    void aFailureAfterAttachRollsBackWithoutAFailedRequest() throws Exception {
        String site = register("site-back");
        String balancer = "http://" + address(site, "lb-1");
        HttpLoad load = startLoad(balancer);
        fault(Service.LB, "{\"step\":\"DETACH_OLD_SERVERS\",\"deployment\":\"" + site + "\"}");
        // this time the old servers drain by losing their health-check file; the rollback puts it back
        String id = start(site, "HEALTH_CHECK_FILE");
        load.phase("during");
        JsonPath done = awaitState(id, UPGRADE_TIMEOUT, "COMPLETED", "FAILED", "ROLLED_BACK");
        load.phase("after");
        Thread.sleep(1_500);
        load.finish();

        assertThat(done.getString("state")).as(done.getString("failure")).isEqualTo("ROLLED_BACK");
        assertThat(load.failures())
                .as("failed requests; last error " + load.lastError())
                .isEmpty();
        assertThat(load.figures("after").versions())
                .as("versions answering after the rollback")
                .containsOnlyKeys("v1.4.2");
        assertThat(deployment(site).getList("servers.findAll { it.createdBy == '" + id + "' }"))
                .isEmpty();
        String config = Files.readString(haproxyConfig(site));
        assertThat(config).contains("server app-1 ", "server app-2 ").doesNotContain("server app-3 ");
        LocalFleet fleet = new LocalFleet(root, LocalFleet.Settings.defaults());
        for (String old : List.of("app-1", "app-2")) {
            assertThat(fleet.appServers().healthCheckFile(fleet.named(site, old).orElseThrow()))
                    .as(old + "'s health-check file, put back by the rollback")
                    .exists();
        }
        assertThat(given().get(url(Service.DB) + "/migrations/" + site)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList(""))
                .as("the schema history after the down script ran")
                .isEmpty();
        assertThat(orderNotes(site))
                .as("the migration's table, dropped by the undo")
                .isFalse();
        report("rollback", load, Map.of());
    }

    /** Whether the site's database has the table the upgrade's migration makes, asked through the write path. */
    private static boolean orderNotes(String site) throws Exception {
        WritePath path = new LocalFleet(root, LocalFleet.Settings.defaults())
                .writePath(site)
                .orElseThrow();
        Secrets.Login login = path.appLogin();
        try (Connection c = DriverManager.getConnection(path.jdbcUrl(), login.user(), login.password())) {
            return Sql.exists(c, "SELECT 1 FROM information_schema.tables WHERE table_name = 'order_notes'");
        }
    }

    private static String register(String name) {
        given().contentType(ContentType.JSON)
                .body(LocalSite.json(name))
                .post(url(Service.CLOUD) + "/deployments")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201);
        return name;
    }

    private static String start(String site) {
        return start(site, "DRAIN_STATE");
    }

    private static String start(String site, String drainBy) {
        return given().contentType(ContentType.JSON)
                .body(LocalSite.upgrade(site, "PT60S", drainBy))
                .post(url(Service.PLANNER) + "/upgrades")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** Clients sending requests through the balancer; returns once it has answered some. */
    private static HttpLoad startLoad(String balancer) throws InterruptedException {
        HttpLoad load = new HttpLoad(balancer + "/", 4, 200_000, Duration.ofMinutes(4), 1_000).start();
        try {
            Wait.forThe("200 answered requests", Duration.ofSeconds(10))
                    .every(Duration.ofMillis(20))
                    .until(() -> load.requests() >= 200);
        } catch (Wait.Unfinished checkedNext) {
            // the assertion says what is missing
        }
        assertThat(load.requests())
                .as("requests before the upgrade; last error " + load.lastError())
                .isGreaterThanOrEqualTo(200);
        return load;
    }

    /**
     * Once the server array is being disabled, the step before the new servers are attached (and well before any
     * of them takes traffic: attaching waits for a health check), opens requests that take 10 s: they run on the
     * old servers into their drain, which must wait for them.
     */
    private static List<CompletableFuture<HttpResponse<String>>> longRequestsWhenAttaching(String id, String balancer)
            throws InterruptedException {
        try {
            Wait.forThe("DISABLE_ARRAY to run", Duration.ofSeconds(60))
                    .every(Duration.ofMillis(20))
                    .until(() -> List.of("RUNNING", "COMPLETED")
                            .contains(upgrade(id).getString("steps.find { it.name == 'DISABLE_ARRAY' }.outcome")));
        } catch (Wait.Unfinished e) {
            throw new AssertionError(e.getMessage());
        }
        List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(balancer + "/slow?ms=10000"))
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return requests;
    }

    private static void report(String what, HttpLoad load, Map<String, String> drain) {
        HttpLoad.Phase before = load.figures("before");
        HttpLoad.Phase during = load.figures("during");
        System.out.printf(
                "application %s behind HAProxy: %d requests, %d failed; before p50 %.1f ms p99 %.1f ms; during p50 %.1f"
                        + " ms p99 %.1f ms%s%n",
                what,
                load.requests(),
                load.failures().size(),
                before.p50Millis(),
                before.p99Millis(),
                during.p50Millis(),
                during.p99Millis(),
                drain.isEmpty() ? "" : "; drain " + drain.get("drainMillis") + " ms");
    }

    private static String address(String site, String server) {
        return deployment(site).getString("servers.find { it.name == '" + server + "' }.address");
    }

    private static Path haproxyConfig(String site) {
        LocalFleet fleet = new LocalFleet(root, LocalFleet.Settings.defaults());
        return fleet.haproxy().config(fleet.named(site, "lb-1").orElseThrow());
    }
}
