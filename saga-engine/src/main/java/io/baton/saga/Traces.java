package io.baton.saga;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.contracts.Json;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * One OpenTelemetry trace per upgrade, across the four services and their Kafka hops. The trace id and the root span's
 * id are derived from the upgrade id, so every service puts its spans in the upgrade's trace without asking anyone; the
 * planner sends the root span itself when the upgrade ends. Each published event carries a W3C {@code traceparent}
 * Kafka header naming its publish span, and the consumer's span has that span as its parent when the header belongs to
 * the event's upgrade (a header from elsewhere is ignored, never trusted).
 *
 * <p>Spans are sent as OTLP/HTTP with the JSON encoding to {@code baton.trace.otlp-endpoint} + {@code /v1/traces},
 * in batches every second; with no endpoint configured nothing is recorded. Tracing never holds up a saga: a full
 * queue drops spans and counts them, a collector that fails loses its batch with a warning.
 */
@ApplicationScoped
public class Traces {

    private static final Logger LOG = Logger.getLogger(Traces.class);
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]");
    private static final int QUEUE = 20_000;
    private static final int BATCH = 512;

    /** What a span is to Baton: its kind and status as OTLP numbers them. */
    public enum Kind {
        INTERNAL(1),
        PRODUCER(4),
        CONSUMER(5);

        final int otlp;

        Kind(int otlp) {
            this.otlp = otlp;
        }
    }

    /** One finished span; {@code error} is null for a span that went well. */
    public record Span(
            String upgradeId,
            String spanId,
            String parentSpanId,
            String name,
            Kind kind,
            Instant start,
            Instant end,
            Map<String, String> attributes,
            String error) {}

    private final Optional<URI> endpoint;
    private final String service;
    private final String instance;
    private final BlockingQueue<Span> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final HttpClient http;
    private volatile long lastWarning;

    @Inject
    public Traces(
            @ConfigProperty(name = "baton.trace.otlp-endpoint") Optional<String> endpoint,
            @ConfigProperty(name = "quarkus.application.name") String service,
            SagaConfig config) {
        this(endpoint, service, config.instanceId());
    }

    Traces(Optional<String> endpoint, String service, String instance) {
        this.endpoint =
                endpoint.filter(e -> !e.isBlank()).map(e -> URI.create(e.strip().replaceAll("/+$", "") + "/v1/traces"));
        this.service = service;
        this.instance = instance;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    public boolean enabled() {
        return endpoint.isPresent();
    }

    /** The upgrade's trace id: the first 16 bytes of SHA-256 over its id, in hex. */
    public static String traceId(String upgradeId) {
        return digest("baton-trace\n" + upgradeId).substring(0, 32);
    }

    /** The id of the upgrade's root span, which the planner sends when the upgrade ends. */
    public static String rootSpanId(String upgradeId) {
        return digest("baton-root\n" + upgradeId).substring(0, 16);
    }

    /** A fresh span id, never all zeros. */
    public static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return HexFormat.of().toHexDigits(id);
    }

    /** The W3C trace context of a span of the upgrade's trace, as it goes in a {@code traceparent} header. */
    public static String traceparent(String upgradeId, String spanId) {
        return "00-" + traceId(upgradeId) + "-" + spanId + "-01";
    }

    /**
     * The span a {@code traceparent} header names, when the header is well formed and of the upgrade's own trace;
     * otherwise the upgrade's root span: a record's header is not trusted to move a span into another trace.
     */
    public static String parentFrom(String traceparent, String upgradeId) {
        if (traceparent != null) {
            var m = TRACEPARENT.matcher(traceparent);
            if (m.matches()
                    && m.group(1).equals(traceId(upgradeId))
                    && !m.group(2).equals("0000000000000000")) {
                return m.group(2);
            }
        }
        return rootSpanId(upgradeId);
    }

    /** Attributes from key, value pairs, in order; a pair whose value is null is left out. */
    public static Map<String, String> attributes(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }

    /** Queues a finished span for sending; does nothing when no collector is configured. */
    public void record(Span span) {
        if (endpoint.isEmpty()) {
            return;
        }
        if (!queue.offer(span)) {
            dropped.incrementAndGet();
        }
    }

    /** Spans dropped because the queue was full (a collector slower than Baton). */
    public long dropped() {
        return dropped.get();
    }

    @Scheduled(every = "${baton.trace.export-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void export() {
        while (endpoint.isPresent() && !queue.isEmpty()) {
            List<Span> batch = new ArrayList<>(BATCH);
            queue.drainTo(batch, BATCH);
            send(batch);
        }
    }

    @PreDestroy
    void flush() {
        export();
    }

    private void send(List<Span> batch) {
        HttpRequest request = HttpRequest.newBuilder(endpoint.orElseThrow())
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(otlp(batch), StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                warn(batch.size() + " span(s) refused by the collector with HTTP " + response.statusCode() + ": "
                        + response.body().lines().findFirst().orElse(""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            warn(batch.size() + " span(s) lost: the collector at " + endpoint.get() + " could not be reached (" + e
                    + ")");
        }
    }

    private void warn(String message) {
        long now = System.currentTimeMillis();
        if (now - lastWarning > 60_000) {
            lastWarning = now;
            LOG.warn(message + "; tracing goes on, sagas are not affected");
        }
    }

    /** The batch as an OTLP ExportTraceServiceRequest in its JSON encoding (ids in hex, times in nanoseconds). */
    String otlp(List<Span> batch) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode resourceSpans = root.putArray("resourceSpans").addObject();
        ArrayNode resource = resourceSpans.putObject("resource").putArray("attributes");
        attribute(resource, "service.name", service);
        attribute(resource, "service.namespace", "baton");
        attribute(resource, "service.instance.id", instance);
        ObjectNode scope = resourceSpans.putArray("scopeSpans").addObject();
        scope.putObject("scope").put("name", "io.baton.saga");
        ArrayNode spans = scope.putArray("spans");
        for (Span s : batch) {
            ObjectNode o = spans.addObject();
            o.put("traceId", traceId(s.upgradeId()));
            o.put("spanId", s.spanId());
            if (s.parentSpanId() != null) {
                o.put("parentSpanId", s.parentSpanId());
            }
            o.put("name", s.name());
            o.put("kind", s.kind().otlp);
            o.put("startTimeUnixNano", Long.toString(nanos(s.start())));
            o.put("endTimeUnixNano", Long.toString(Math.max(nanos(s.end()), nanos(s.start()))));
            ArrayNode attributes = o.putArray("attributes");
            attribute(attributes, "baton.upgrade.id", s.upgradeId());
            s.attributes().forEach((k, v) -> attribute(attributes, k, v));
            ObjectNode status = o.putObject("status");
            if (s.error() == null) {
                status.put("code", 1);
            } else {
                status.put("code", 2).put("message", s.error());
            }
        }
        return Json.write(root);
    }

    private static void attribute(ArrayNode attributes, String key, String value) {
        if (value != null) {
            ObjectNode a = attributes.addObject().put("key", key);
            a.putObject("value").put("stringValue", value);
        }
    }

    private static long nanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    private static String digest(String text) {
        return io.baton.common.Hashes.sha256Hex(text);
    }
}
