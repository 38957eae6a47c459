package io.baton.launcher.load;

import io.baton.common.Wait;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Users of the site: a few clients that each send GET requests through the balancer one after another on
 * keep-alive connections, bounded in count and in time. Each request is recorded in the phase it started in
 * ("before" until {@link #phase} changes it), with its status, latency and the version that answered.
 */
public final class HttpLoad implements AutoCloseable {

    /** One phase's figures; a request failed if it got no answer or an answer other than 200. */
    public record Phase(long requests, long failed, double p50Millis, double p99Millis, Map<String, Long> versions) {}

    private record Sample(String phase, int status, long micros, String version) {}

    private final String url;
    private final int clients;
    private final long maxRequests;
    private final Duration maxTime;
    private final long pauseMicros;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong sent = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile String phase = "before";
    private volatile boolean stop;
    private volatile String lastError;

    /** @param pauseMicros each client's pause between two requests: a site's load, not a saturation test */
    public HttpLoad(String url, int clients, long maxRequests, Duration maxTime, long pauseMicros) {
        this.pauseMicros = pauseMicros;
        this.url = url;
        this.clients = clients;
        this.maxRequests = maxRequests;
        this.maxTime = maxTime;
    }

    public HttpLoad start() {
        long deadline = System.nanoTime() + maxTime.toNanos();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> run(deadline), "http-load-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return this;
    }

    /** Requests started from now on count in this phase. */
    public void phase(String name) {
        phase = name;
    }

    private void run(long deadline) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .build();
        while (!stop && System.nanoTime() < deadline && sent.incrementAndGet() <= maxRequests) {
            String current = phase;
            long started = System.nanoTime();
            int status;
            String version = null;
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                version = r.headers().firstValue("X-Version").orElse(null);
            } catch (java.io.IOException e) {
                status = -1;
                lastError = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            samples.add(new Sample(current, status, (System.nanoTime() - started) / 1_000, version));
            try {
                Wait.delay(Duration.ofNanos(pauseMicros * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the clients and waits for their last requests. */
    public void finish() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    public long requests() {
        return samples.size();
    }

    public String lastError() {
        return lastError;
    }

    /** The figures of one phase. */
    public Phase figures(String name) {
        List<Long> latencies = new ArrayList<>();
        long failed = 0;
        Map<String, Long> versions = new TreeMap<>();
        synchronized (samples) {
            for (Sample s : samples) {
                if (!s.phase().equals(name)) {
                    continue;
                }
                latencies.add(s.micros());
                if (s.status() != 200) {
                    failed++;
                }
                if (s.version() != null) {
                    versions.merge(s.version(), 1L, Long::sum);
                }
            }
        }
        Collections.sort(latencies);
        return new Phase(latencies.size(), failed, percentile(latencies, 0.50), percentile(latencies, 0.99), versions);
    }

    /** Failed requests over every phase, with what went wrong. */
    public List<String> failures() {
        List<String> failures = new ArrayList<>();
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.status() != 200) {
                    failures.add(s.phase() + ": " + (s.status() < 0 ? "no answer" : "HTTP " + s.status()));
                }
            }
        }
        return failures;
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1000.0;
    }

    @Override
    public void close() throws InterruptedException {
        finish();
    }
}
