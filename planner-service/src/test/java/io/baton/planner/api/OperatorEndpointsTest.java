package io.baton.planner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import io.baton.common.Wait;
import io.baton.infra.BatonTestInfra;
import io.baton.planner.fleet.CloudInventory;
import io.baton.planner.upgrade.UpgradeMetrics;
import io.baton.saga.problem.ProblemTypes;
import io.quarkus.test.InjectMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What operators and their tools read besides the API itself: its OpenAPI document, the problem types, metrics. */
@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_planner"))
class OperatorEndpointsTest {

    @InjectMock
    @RestClient
    CloudInventory inventory;

    @Inject
    UpgradeMetrics upgrades;

    @BeforeEach
    void fleet() {
        when(inventory.deployment(anyString())).thenAnswer(call -> UpgradeResourceTest.deployment(call.getArgument(0)));
    }

    @Test
    void theOpenApiDocumentDescribesTheApiAndItsSecurity() {
        JsonPath doc = given().header("Accept", "application/json")
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(doc.getString("openapi")).startsWith("3.");
        assertThat(doc.getString("info.title")).isEqualTo("Baton planner service");
        assertThat(doc.getMap("paths"))
                .containsKeys("/upgrades", "/upgrades/{id}", "/upgrades/{id}/approve", "/upgrades/{id}/abort");
        assertThat(doc.getList("paths.'/upgrades'.get.parameters.name"))
                .contains("deployment", "state", "cursor", "limit");
        assertThat(doc.getString("components.securitySchemes.bearer.scheme")).isEqualToIgnoringCase("bearer");
        assertThat(doc.getString("components.securitySchemes.bearer.bearerFormat"))
                .isEqualTo("JWT");
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
        // a scraper or a browser without a token reads the document and the metrics; the API itself stays closed
        for (String open : List.of("/q/openapi", "/q/metrics", "/problems")) {
            given().header("Authorization", "").get(open).then().statusCode(200);
        }
        given().header("Authorization", "").get("/upgrades").then().statusCode(401);
    }

    @Test
    void everyProblemTypeIsDocumentedAtItsPath() {
        given().header("Accept", "application/json")
                .get("/problems")
                .then()
                .statusCode(200)
                .body("size()", equalTo(ProblemTypes.all().size()))
                .body("slug", hasItems("deployment-busy", "invalid-request", "unauthenticated"));
        for (ProblemTypes.Type t : ProblemTypes.all()) {
            String path = java.net.URI.create(t.type()).getPath();
            given().header("Accept", "text/html")
                    .header("Authorization", "")
                    .get(path)
                    .then()
                    .statusCode(200)
                    .contentType(containsString("text/html"))
                    .body(containsString("<h1>" + t.title() + "</h1>"), containsString("What to do"));
            given().header("Accept", "application/json")
                    .get(path)
                    .then()
                    .statusCode(200)
                    .body("status", equalTo(t.status()))
                    .body("type", equalTo(t.type()));
        }
        // a type a problem answer names leads to its page: follow one from a real answer
        String type =
                given().get("/upgrades/nope").then().statusCode(404).extract().path("type");
        given().header("Accept", "text/html")
                .get(java.net.URI.create(type).getPath())
                .then()
                .statusCode(200)
                .body(containsString("GET /upgrades"));
        given().header("Accept", "application/json")
                .get("/problems/<script>")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void metricsCountUpgradesByKindAndState() throws Exception {
        Pattern running = Pattern.compile(
                "^baton_upgrades\\{ended=\"false\",kind=\"database\",state=\"running\"} (\\S+)$", Pattern.MULTILINE);
        UpgradeResourceTest.started(UpgradeResourceTest.unique("metrics"), false);
        // the gauge says what the database holds: as many running database upgrades as the list walks through
        Wait.forThe("the gauge to match the list of running upgrades", Duration.ofSeconds(30))
                .every(Duration.ofMillis(200))
                .until(() -> {
                    upgrades.refresh();
                    double gauge = sample(running);
                    return gauge >= 1 && gauge == runningDatabaseUpgrades();
                });
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        // every kind and state is there from the start, ended ones with their outcome
        for (String state : List.of("completed", "rolled_back", "failed")) {
            assertThat(text).contains("baton_upgrades{ended=\"true\",kind=\"application\",state=\"" + state + "\"}");
        }
        assertThat(text)
                .contains("baton_outbox_backlog ", "baton_outbox_oldest_age_seconds ", "baton_consumer_lag_records ");
        assertThat(text).contains("http_server_requests_seconds_count");
    }

    /**
     * The live stream: hello when it is open, then an upgrade's whole view each time one of its events is recorded;
     * closed to callers without a token like every other read.
     */
    @Test
    void theStreamTellsOfEachChangeAsItIsRecorded() throws Exception {
        given().header("Authorization", "")
                .header("Accept", "text/event-stream")
                .get("/upgrades/stream")
                .then()
                .statusCode(401);
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "upgrades/stream"))
                        .header("Authorization", "Bearer " + io.baton.infra.BatonTestInfra.token("vic", "viewer"))
                        .header("Accept", "text/event-stream")
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.fromLineSubscriber(
                        new java.util.concurrent.Flow.Subscriber<String>() {
                            @Override
                            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                                s.request(Long.MAX_VALUE);
                            }

                            @Override
                            public void onNext(String line) {
                                lines.add(line);
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onComplete() {}
                        }));
        try {
            assertThat(next(lines, "event:")).isEqualTo("event:hello");
            // the feed takes its place at its next look; an upgrade started after it is told
            Thread.sleep(1_500);
            String id = UpgradeResourceTest.started(UpgradeResourceTest.unique("stream"), false);
            String data = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (data == null || !data.contains(id)) {
                assertThat(System.nanoTime())
                        .as("an event of upgrade %s within 30 s", id)
                        .isLessThan(deadline);
                String event = next(lines, "event:");
                String line = next(lines, "data:");
                if (event.equals("event:upgrade")) {
                    data = line;
                }
            }
            JsonPath view = new JsonPath(data.substring("data:".length()));
            assertThat(view.getString("id")).isEqualTo(id);
            assertThat(view.getString("state")).isEqualTo("RUNNING");
            assertThat(view.getList("steps")).hasSize(10);
        } finally {
            response.cancel(true);
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL url;

    private static String next(java.util.concurrent.BlockingQueue<String> lines, String prefix) throws Exception {
        while (true) {
            String line = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(line).as("a line of the stream within 30 s").isNotNull();
            if (line.startsWith(prefix)) {
                return line.replace(prefix + " ", prefix);
            }
        }
    }

    /** Counts the running database upgrades by walking every page of the list. */
    private static long runningDatabaseUpgrades() {
        long n = 0;
        String next = "/upgrades?state=running&limit=200";
        while (next != null) {
            var response = given().get(next).then().statusCode(200).extract();
            List<String> kinds = response.path("kind");
            n += kinds.stream().filter("DATABASE"::equals).count();
            String link = response.header("Link");
            next = UpgradeResourceTest.nextPage(link);
        }
        return n;
    }

    private static double sample(Pattern p) {
        Matcher m = p.matcher(
                given().get("/q/metrics").then().statusCode(200).extract().asString());
        assertThat(m.find()).as("the metric is exposed").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
