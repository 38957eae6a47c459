package io.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.baton.contracts.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenTelemetry collector's OTLP/HTTP trace endpoint on loopback, for the end-to-end suite: it keeps every span the
 * services send (JSON encoding), with the name of the service that sent it.
 */
final class OtlpCollector {

    /** A received span and the {@code service.name} of its resource. */
    record Span(String service, JsonNode span) {
        String traceId() {
            return span.path("traceId").asText();
        }

        String spanId() {
            return span.path("spanId").asText();
        }

        String parentSpanId() {
            return span.path("parentSpanId").asText();
        }

        String name() {
            return span.path("name").asText();
        }

        int kind() {
            return span.path("kind").asInt();
        }
    }

    private static OtlpCollector running;

    private final HttpServer server;
    private final List<Span> spans = new ArrayList<>();

    private OtlpCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                boolean json = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))
                        .startsWith("application/json");
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (!json || !"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(415, -1);
                    return;
                }
                keep(Json.read(new String(body, java.nio.charset.StandardCharsets.UTF_8), JsonNode.class));
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                byte[] ok = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
            }
        });
        server.start();
    }

    /** The collector of this JVM, started on first use. */
    static synchronized OtlpCollector get() {
        if (running == null) {
            try {
                running = new OtlpCollector();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return running;
    }

    /** Where a service sends its spans: {@code baton.trace.otlp-endpoint}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void keep(JsonNode request) {
        List<Span> received = new ArrayList<>();
        for (JsonNode resourceSpans : request.path("resourceSpans")) {
            String service = "";
            for (JsonNode a : resourceSpans.path("resource").path("attributes")) {
                if (a.path("key").asText().equals("service.name")) {
                    service = a.path("value").path("stringValue").asText();
                }
            }
            for (JsonNode scope : resourceSpans.path("scopeSpans")) {
                for (JsonNode span : scope.path("spans")) {
                    received.add(new Span(service, span));
                }
            }
        }
        synchronized (spans) {
            spans.addAll(received);
        }
    }

    /** An upgrade's trace id as docs/operations.md gives it: the first 16 bytes of SHA-256("baton-trace\n" + id). */
    static String traceId(String upgradeId) {
        return sha256("baton-trace\n" + upgradeId).substring(0, 32);
    }

    /** The id of an upgrade's root span: the first 8 bytes of SHA-256("baton-root\n" + id). */
    static String rootSpanId(String upgradeId) {
        return sha256("baton-root\n" + upgradeId).substring(0, 16);
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The spans received so far of one trace. */
    List<Span> trace(String traceId) {
        synchronized (spans) {
            return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
        }
    }
}
