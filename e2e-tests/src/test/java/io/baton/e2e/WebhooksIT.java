package io.baton.e2e;

import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.register;
import static io.baton.e2e.BatonStack.start;
import static io.baton.e2e.BatonStack.timeout;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.baton.common.Wait;
import io.baton.contracts.api.Roles;
import io.baton.launcher.Stack.Service;
import io.restassured.http.ContentType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks through the whole stack, to receivers on loopback that this test runs: each is told, as a signed
 * CloudEvent, when an upgrade of its deployment (or of any, for a global one) waits for approval and when it ends;
 * a receiver that fails is tried again with a growing pause until it takes the event.
 */
class WebhooksIT {

    /** A receiver: what it got, and how many of the first requests it answers 500 to. */
    static final class Receiver implements AutoCloseable {
        record Got(Map<String, String> headers, String body, long atNanos) {}

        final HttpServer server;
        final List<Got> got = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failFirst;

        Receiver(int failFirst) throws Exception {
            this.failFirst = new AtomicInteger(failFirst);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", x -> {
                Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                x.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
                got.add(new Got(
                        headers,
                        new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                        System.nanoTime()));
                x.sendResponseHeaders(this.failFirst.getAndDecrement() > 0 ? 500 : 204, -1);
                x.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        List<Got> of(String type) {
            synchronized (got) {
                return got.stream()
                        .filter(g -> type.equals(g.headers().get("ce-type")))
                        .toList();
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void up() throws Exception {
        BatonStack.get();
    }

    @AfterAll
    static void down() throws Exception {
        BatonStack.close();
    }

    static String admin() {
        return BatonStack.bearer("hook-admin", Roles.ADMIN);
    }

    static JsonNode registerHook(String url, String deployment, String secret) throws Exception {
        String body = JSON.writeValueAsString(
                deployment == null
                        ? Map.of("url", url, "secret", secret)
                        : Map.of("url", url, "deployment", deployment, "secret", secret));
        return JSON.readTree(given().header("Authorization", admin())
                .contentType(ContentType.JSON)
                .body(body)
                .post(BatonStack.url(Service.PLANNER) + "/webhooks")
                .then()
                .statusCode(201)
                .extract()
                .asString());
    }

    static void deleteHook(JsonNode hook) {
        given().header("Authorization", admin())
                .delete(BatonStack.url(Service.PLANNER) + "/webhooks/"
                        + hook.path("id").asText())
                .then()
                .statusCode(204);
    }

    static String hmac(String secret, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** Checks a delivery as a receiver should: the signature over timestamp and body, with the shared secret. */
    static void assertSigned(Receiver.Got g, String secret) throws Exception {
        String signature = g.headers().get("Baton-Signature");
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = signature.substring(2, signature.indexOf(','));
        assertThat(signature.substring(signature.indexOf("v1=") + 3)).isEqualTo(hmac(secret, t + "." + g.body()));
        assertThat(Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t)))
                .isLessThan(300);
    }

    @Test
    void receiversAreToldSignedEventsAndAFailingOneIsTriedAgain() throws Exception {
        try (Receiver global = new Receiver(2);
                Receiver mine = new Receiver(0);
                Receiver other = new Receiver(0)) {
            String globalSecret = "global-secret-0123456789";
            String mySecret = "n-hooks-secret-0123456789";
            JsonNode g = registerHook(global.url(), null, globalSecret);
            JsonNode m = registerHook(mine.url(), "n-hooks", mySecret);
            JsonNode o = registerHook(other.url(), "n-elsewhere", "other-secret-0123456789");
            assertThat(g.path("secret").asText()).isEqualTo(globalSecret);
            // the secret is shown once, when it is set
            given().header("Authorization", admin())
                    .get(BatonStack.url(Service.PLANNER) + "/webhooks")
                    .then()
                    .statusCode(200)
                    .body("find { it.id == '" + m.path("id").asText() + "' }.secret", org.hamcrest.Matchers.nullValue())
                    .body(
                            "find { it.id == '" + m.path("id").asText() + "' }.types",
                            hasItem("baton.upgrade.completed.v1"));
            try {
                register("n-hooks");
                String id = start("n-hooks", "{\"instanceSize\": \"large\"}", true);
                awaitState(id, timeout(), "AWAITING_APPROVAL");
                Wait.forThe("both receivers to be told that it waits", Duration.ofSeconds(30))
                        .every(Duration.ofMillis(100))
                        .until(() ->
                                mine.of("baton.upgrade.awaiting-approval.v1").size() == 1
                                        && global.of("baton.upgrade.awaiting-approval.v1")
                                                        .size()
                                                == 3);

                Receiver.Got waiting =
                        mine.of("baton.upgrade.awaiting-approval.v1").get(0);
                assertThat(waiting.headers())
                        .containsEntry("ce-specversion", "1.0")
                        .containsEntry("ce-id", id + "/awaiting_approval")
                        .containsEntry("ce-source", "/baton/planner-service")
                        .containsEntry("ce-subject", id)
                        .containsEntry("Content-Type", "application/json");
                assertThat(waiting.headers().get("ce-time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
                JsonNode data = JSON.readTree(waiting.body());
                assertThat(data.path("upgradeId").asText()).isEqualTo(id);
                assertThat(data.path("deployment").asText()).isEqualTo("n-hooks");
                assertThat(data.path("state").asText()).isEqualTo("AWAITING_APPROVAL");
                assertThat(data.path("links").path("approve").asText()).isEqualTo("/upgrades/" + id + "/approve");
                assertSigned(waiting, mySecret);

                // the global receiver answered 500 twice: the same event (same ce-id) came three times, the pauses
                // growing (1 s, then 2 s)
                List<Receiver.Got> tries = global.of("baton.upgrade.awaiting-approval.v1");
                assertThat(tries).extracting(t -> t.headers().get("ce-id")).containsOnly(id + "/awaiting_approval");
                long first = tries.get(1).atNanos() - tries.get(0).atNanos();
                long second = tries.get(2).atNanos() - tries.get(1).atNanos();
                assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());
                assertThat(second)
                        .isGreaterThanOrEqualTo(Duration.ofMillis(1_900).toNanos());
                for (Receiver.Got t : tries) {
                    assertSigned(t, globalSecret);
                }
                given().header("Authorization", admin())
                        .get(BatonStack.url(Service.PLANNER) + "/webhooks/"
                                + g.path("id").asText() + "/deliveries")
                        .then()
                        .statusCode(200)
                        .body(
                                "find { it.eventId == '" + id + "/awaiting_approval' }.attempts",
                                org.hamcrest.Matchers.equalTo(3))
                        .body(
                                "find { it.eventId == '" + id + "/awaiting_approval' }.deliveredAt",
                                org.hamcrest.Matchers.notNullValue());

                given().post(BatonStack.url(Service.PLANNER) + "/upgrades/" + id + "/approve")
                        .then()
                        .statusCode(200);
                awaitState(id, timeout(), "COMPLETED");
                Wait.forThe("the receivers to be told it completed", Duration.ofSeconds(30))
                        .every(Duration.ofMillis(100))
                        .until(() -> mine.of("baton.upgrade.completed.v1").size() == 1
                                && global.of("baton.upgrade.completed.v1").size() == 1);
                assertThat(JSON.readTree(mine.of("baton.upgrade.completed.v1")
                                        .get(0)
                                        .body())
                                .path("approvedBy")
                                .asText())
                        .isNotBlank();
                assertThat(other.got)
                        .as("a webhook of another deployment hears nothing of this one")
                        .isEmpty();
            } finally {
                deleteHook(g);
                deleteHook(m);
                deleteHook(o);
            }
        }
    }

    @Test
    void aRollbackIsToldToo() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            JsonNode hook = registerHook(receiver.url(), "n-rollback", "rollback-secret-0123456789");
            try {
                register("n-rollback");
                BatonStack.fault(Service.DB, "{\"step\":\"PROMOTE\",\"deployment\":\"n-rollback\"}");
                String id = start("n-rollback", "{\"instanceSize\": \"large\"}", false);
                awaitState(id, timeout(), "ROLLED_BACK");
                Wait.forThe("the receiver to be told it rolled back", Duration.ofSeconds(30))
                        .every(Duration.ofMillis(100))
                        .until(() -> receiver.of("baton.upgrade.rolled-back.v1").size() == 1);
                assertThat(JSON.readTree(receiver.of("baton.upgrade.rolled-back.v1")
                                        .get(0)
                                        .body())
                                .path("failure")
                                .asText())
                        .contains("PROMOTE");
                assertThat(receiver.got).hasSize(1);
            } finally {
                deleteHook(hook);
            }
        }
    }

    @Test
    void aWebhookMustBeAPlainHttpAddress() {
        for (String url : List.of(
                "ftp://127.0.0.1/x",
                "http://user:pass@127.0.0.1/x",
                "not an address",
                "/relative",
                "http://127.0.0.1/x#frag")) {
            given().header("Authorization", admin())
                    .contentType(ContentType.JSON)
                    .body(Map.of("url", url))
                    .post(BatonStack.url(Service.PLANNER) + "/webhooks")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors[0]", containsString("url"));
        }
        given().header("Authorization", admin())
                .contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/x", "secret", "short"))
                .post(BatonStack.url(Service.PLANNER) + "/webhooks")
                .then()
                .statusCode(400)
                .body("errors[0]", containsString("secret"));
        given().header("Authorization", BatonStack.bearer("op", Roles.OPERATOR))
                .contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/x"))
                .post(BatonStack.url(Service.PLANNER) + "/webhooks")
                .then()
                .statusCode(403);
        given().header("Authorization", admin())
                .delete(BatonStack.url(Service.PLANNER) + "/webhooks/00000000-0000-0000-0000-000000000000")
                .then()
                .statusCode(404)
                .body("type", org.hamcrest.Matchers.equalTo("https://baton.dev/problems/unknown-webhook"));
    }
}
