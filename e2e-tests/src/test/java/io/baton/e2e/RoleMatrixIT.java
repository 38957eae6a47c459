package io.baton.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Tokens;
import io.baton.contracts.api.Roles;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint of every service, as the packaged services answer it: 401 without a token, with an expired one and
 * with one signed by a key the stack does not trust; 403 for every role that may not call it; through for each role
 * that may. A refused change changes nothing: the bodies sent are valid, and what they would have created is absent
 * afterwards.
 */
class RoleMatrixIT {

    static Stack stack;

    /** One endpoint: who may call it, and a valid request to send. */
    record Endpoint(Service service, String method, String path, String body, Set<String> allowed) {
        @Override
        public String toString() {
            return service.name().toLowerCase(java.util.Locale.ROOT) + " " + method + " " + path;
        }
    }

    static final Set<String> READ = Set.of(Roles.VIEWER, Roles.OPERATOR, Roles.APPROVER, Roles.LIBRARY, Roles.ADMIN);
    static final String UNKNOWN = "00000000-0000-0000-0000-000000000000";

    static final String DEPLOYMENT =
            """
            {"name": "matrix-denied", "servers": [
              {"name": "db-1", "role": "MASTER", "config": {"serverTemplate": "pg", "templateRevision": 1,
               "cloud": "aws", "region": "eu-west", "zone": "a", "instanceSize": "m", "image": "debian-12",
               "engine": "postgresql"}}]}""";

    static Stream<Endpoint> endpoints() {
        List<Endpoint> all = new ArrayList<>(List.of(
                new Endpoint(Service.PLANNER, "GET", "/upgrades", null, READ),
                new Endpoint(Service.PLANNER, "GET", "/upgrades/" + UNKNOWN, null, READ),
                new Endpoint(
                        Service.PLANNER,
                        "POST",
                        "/upgrades",
                        "{\"deployment\": \"matrix\", \"kind\": \"database\", \"change\": {\"instanceSize\": \"xl\"}}",
                        Set.of(Roles.OPERATOR)),
                new Endpoint(
                        Service.PLANNER, "POST", "/upgrades/" + UNKNOWN + "/approve", null, Set.of(Roles.APPROVER)),
                new Endpoint(Service.PLANNER, "POST", "/upgrades/" + UNKNOWN + "/abort", null, Set.of(Roles.OPERATOR)),
                new Endpoint(Service.PLANNER, "GET", "/webhooks", null, Set.of(Roles.ADMIN)),
                new Endpoint(
                        Service.PLANNER,
                        "POST",
                        "/webhooks",
                        "{\"url\": \"http://127.0.0.1:9/matrix\", \"deployment\": \"matrix-denied\"}",
                        Set.of(Roles.ADMIN)),
                new Endpoint(Service.PLANNER, "GET", "/webhooks/" + UNKNOWN + "/deliveries", null, Set.of(Roles.ADMIN)),
                new Endpoint(Service.PLANNER, "DELETE", "/webhooks/" + UNKNOWN, null, Set.of(Roles.ADMIN)),
                new Endpoint(Service.CLOUD, "GET", "/deployments", null, READ),
                new Endpoint(Service.CLOUD, "POST", "/deployments", DEPLOYMENT, Set.of(Roles.ADMIN)),
                new Endpoint(Service.CLOUD, "GET", "/deployments/matrix", null, READ),
                new Endpoint(Service.CLOUD, "GET", "/deployments/matrix/snapshots", null, READ),
                new Endpoint(Service.CLOUD, "GET", "/deployments/matrix/inputs.csv", null, READ),
                new Endpoint(Service.CLOUD, "GET", "/deployments/matrix/write-path", null, READ),
                new Endpoint(Service.CLOUD, "GET", "/actions/" + UNKNOWN, null, READ),
                new Endpoint(Service.DB, "GET", "/replication/matrix", null, READ),
                new Endpoint(Service.DB, "GET", "/migrations/matrix", null, READ),
                new Endpoint(Service.LB, "GET", "/balancer/matrix", null, READ),
                new Endpoint(
                        Service.LB,
                        "POST",
                        "/balancer/matrix-denied/members",
                        "{\"app-9\": \"127.0.0.1:9\"}",
                        Set.of(Roles.ADMIN)),
                new Endpoint(
                        Service.LB,
                        "POST",
                        "/balancer/matrix/sessions",
                        "{\"count\": 1, \"seconds\": 0.1}",
                        Set.of(Roles.ADMIN))));
        for (Service s : Service.values()) {
            all.add(new Endpoint(s, "GET", "/executions/" + UNKNOWN, null, READ));
            all.add(new Endpoint(s, "GET", "/faults", null, Set.of(Roles.ADMIN)));
            all.add(new Endpoint(
                    s,
                    "POST",
                    "/faults",
                    "{\"step\": \"" + ownedStep(s) + "\", \"deployment\": \"matrix-denied\"}",
                    Set.of(Roles.ADMIN)));
            all.add(new Endpoint(s, "DELETE", "/faults", null, Set.of(Roles.ADMIN)));
        }
        return all.stream();
    }

    private static String ownedStep(Service s) {
        return switch (s) {
            case PLANNER -> "APPROVAL";
            case CLOUD -> "BACKUP_MASTER";
            case DB -> "PROMOTE";
            case LB -> "ATTACH_NEW_SERVERS";
        };
    }

    @BeforeAll
    static void up() throws Exception {
        stack = BatonStack.get();
    }

    @AfterAll
    static void down() throws Exception {
        // refused changes left nothing behind
        assertThat(given().get(stack.url(Service.CLOUD) + "/deployments")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("", String.class))
                .doesNotContain("matrix-denied");
        assertThat(given().get(stack.url(Service.LB) + "/balancer/matrix-denied")
                        .then()
                        .extract()
                        .body()
                        .asString())
                .doesNotContain("app-9");
        BatonStack.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void onlyTheRightRolesGetThrough(Endpoint e) {
        assertUnauthenticated(e, send(e, null));
        String expired = Tokens.mint(
                signingKey(),
                Tokens.LOCAL_ISSUER,
                "late",
                Roles.ALL,
                Duration.ofMinutes(5),
                Instant.now().minus(Duration.ofHours(2)));
        assertUnauthenticated(e, send(e, expired));
        String forged = Tokens.mint(
                Tokens.strangerKey(), Tokens.LOCAL_ISSUER, "mallory", Roles.ALL, Duration.ofHours(1), Instant.now());
        assertUnauthenticated(e, send(e, forged));
        String otherIssuer =
                Tokens.mint(signingKey(), "someone-else", "mallory", Roles.ALL, Duration.ofHours(1), Instant.now());
        assertUnauthenticated(e, send(e, otherIssuer));

        List<String> tried = new ArrayList<>(Roles.ALL);
        tried.add("nobody");
        for (String role : tried) {
            String token = stack.token("matrix-" + role, Duration.ofMinutes(5), role);
            if (e.allowed().contains(role)) {
                // through, with a body the endpoint then refuses as invalid: past the door, and still nothing changed
                Response r = send(e, token, e.body() == null ? null : "{}");
                assertThat(r.statusCode())
                        .as("%s with role %s: %s", e, role, r.body().asString())
                        .isNotIn(401, 403);
            } else {
                Response r = send(e, token);
                assertThat(r.statusCode())
                        .as("%s with role %s: %s", e, role, r.body().asString())
                        .isEqualTo(403);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("detail")).contains("needs the role");
            }
        }
    }

    private static void assertUnauthenticated(Endpoint e, Response r) {
        assertThat(r.statusCode()).as("%s: %s", e, r.body().asString()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("detail")).contains("bearer token");
    }

    private static Response send(Endpoint e, String token) {
        return send(e, token, e.body());
    }

    private static Response send(Endpoint e, String token, String body) {
        RequestSpecification request = given().header("Authorization", token == null ? "" : "Bearer " + token);
        if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.request(e.method(), stack.url(e.service()) + e.path());
    }

    private static java.security.PrivateKey signingKey() {
        try {
            return Tokens.signingKey(BatonStack.keys().signing());
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
