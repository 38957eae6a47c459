package io.baton.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.baton.contracts.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TracesTest {

    private HttpServer collector;
    private final List<String> bodies = new ArrayList<>();
    private final List<String> contentTypes = new ArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);

    @BeforeEach
    void collector() throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            synchronized (bodies) {
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            }
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        collector.start();
    }

    @AfterEach
    void stop() {
        collector.stop(0);
    }

    private Traces traces() {
        return new Traces(
                Optional.of("http://127.0.0.1:" + collector.getAddress().getPort() + "/"), "db-upgrade-service", "1");
    }

    @Test
    void anUpgradesSpansGoToTheCollectorInItsOwnTraceUnderItsRootSpan() {
        Traces traces = traces();
        Instant start = Instant.parse("2026-12-04T08:00:00Z");
        String root = Traces.rootSpanId("u-1");
        String step = Traces.newSpanId();
        traces.record(new Traces.Span(
                "u-1",
                step,
                root,
                "PROMOTE",
                Traces.Kind.INTERNAL,
                start,
                start.plusMillis(1500),
                Traces.attributes("baton.step", "PROMOTE", "baton.deployment", null),
                null));
        traces.record(new Traces.Span(
                "u-1", Traces.newSpanId(), root, "undo PROMOTE", Traces.Kind.INTERNAL, start, start, Map.of(), "boom"));
        traces.export();

        assertThat(contentTypes).containsExactly("application/json");
        JsonNode body = Json.read(bodies.get(0), JsonNode.class);
        JsonNode resource = body.at("/resourceSpans/0/resource/attributes");
        assertThat(resource.toString()).contains("\"service.name\"", "\"db-upgrade-service\"");
        JsonNode spans = body.at("/resourceSpans/0/scopeSpans/0/spans");
        assertThat(spans).hasSize(2);
        JsonNode promote = spans.get(0);
        assertThat(promote.get("traceId").asText())
                .isEqualTo(Traces.traceId("u-1"))
                .matches("[0-9a-f]{32}");
        assertThat(promote.get("spanId").asText()).isEqualTo(step).matches("[0-9a-f]{16}");
        assertThat(promote.get("parentSpanId").asText()).isEqualTo(root);
        assertThat(promote.get("kind").asInt()).isEqualTo(1);
        assertThat(promote.get("startTimeUnixNano").asText()).isEqualTo("1796371200000000000");
        assertThat(promote.get("endTimeUnixNano").asText()).isEqualTo("1796371201500000000");
        assertThat(promote.at("/status/code").asInt()).isEqualTo(1);
        // a null attribute is left out, the upgrade id is always there
        assertThat(promote.get("attributes").toString())
                .contains("baton.upgrade.id", "u-1", "PROMOTE")
                .doesNotContain("baton.deployment");
        assertThat(spans.get(1).at("/status/code").asInt()).isEqualTo(2);
        assertThat(spans.get(1).at("/status/message").asText()).isEqualTo("boom");
    }

    @Test
    void theTraceIdsFollowFromTheUpgradeIdAndDifferBetweenUpgrades() {
        assertThat(Traces.traceId("u-1")).isEqualTo(Traces.traceId("u-1")).isNotEqualTo(Traces.traceId("u-2"));
        assertThat(Traces.rootSpanId("u-1"))
                .isNotEqualTo(Traces.rootSpanId("u-2"))
                .hasSize(16);
        assertThat(Traces.traceparent("u-1", "00f067aa0ba902b7"))
                .isEqualTo("00-" + Traces.traceId("u-1") + "-00f067aa0ba902b7-01");
    }

    @Test
    void aRecordsTraceparentIsFollowedOnlyWhenItIsOfTheEventsOwnUpgrade() {
        String mine = Traces.traceparent("u-1", "00f067aa0ba902b7");
        assertThat(Traces.parentFrom(mine, "u-1")).isEqualTo("00f067aa0ba902b7");
        // another upgrade's trace, a malformed header, a zero span, none: the upgrade's root span
        assertThat(Traces.parentFrom(mine, "u-2")).isEqualTo(Traces.rootSpanId("u-2"));
        assertThat(Traces.parentFrom("00-xyz-00f067aa0ba902b7-01", "u-1")).isEqualTo(Traces.rootSpanId("u-1"));
        assertThat(Traces.parentFrom(Traces.traceparent("u-1", "0000000000000000"), "u-1"))
                .isEqualTo(Traces.rootSpanId("u-1"));
        assertThat(Traces.parentFrom(null, "u-1")).isEqualTo(Traces.rootSpanId("u-1"));
    }

    private static Traces.Span aSpan() {
        return new Traces.Span(
                "u-1",
                "00f067aa0ba902b7",
                null,
                "x",
                Traces.Kind.INTERNAL,
                Instant.now(),
                Instant.now(),
                Map.of(),
                null);
    }

    @Test
    void withoutACollectorNothingIsRecordedAndAFailingCollectorStopsNothing() {
        Traces off = new Traces(Optional.empty(), "planner-service", "0");
        assertThat(off.enabled()).isFalse();
        off.record(aSpan());
        off.export();
        assertThat(bodies).isEmpty();

        status.set(500);
        Traces traces = traces();
        traces.record(aSpan());
        traces.export();
        assertThat(bodies).hasSize(1);
        collector.stop(0);
        traces.record(aSpan());
        traces.export();
        assertThat(traces.dropped()).isZero();
    }
}
