package io.baton.planner.notify;

import io.baton.saga.Tx;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends the queued webhook deliveries: as CloudEvents in HTTP binary mode (the event's attributes in {@code ce-*}
 * headers, its data as the JSON body), signed with the webhook's secret, retried with a doubling pause until the
 * receiver answers 2xx or the attempts run out. Replicas share the work: each claims due deliveries for a while
 * ({@code for update skip locked}), so a delivery is sent by one at a time and taken over if its replica dies.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    /** Where the CloudEvents come from. */
    static final String SOURCE = "/baton/planner-service";

    private final Tx tx;
    private final HttpClient http;
    private final String me = "planner-" + UUID.randomUUID();
    private final int attempts;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Duration timeout;
    private final MeterRegistry registry;
    private volatile boolean stopping;

    public WebhookSender(
            Tx tx,
            MeterRegistry registry,
            @ConfigProperty(name = "baton.webhooks.attempts", defaultValue = "10") int attempts,
            @ConfigProperty(name = "baton.webhooks.backoff", defaultValue = "PT1S") Duration backoff,
            @ConfigProperty(name = "baton.webhooks.max-backoff", defaultValue = "PT5M") Duration maxBackoff,
            @ConfigProperty(name = "baton.webhooks.timeout", defaultValue = "PT10S") Duration timeout) {
        this.tx = tx;
        this.registry = registry;
        this.attempts = attempts;
        this.backoff = backoff;
        this.maxBackoff = maxBackoff;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** One delivery claimed for sending, with what it needs from its webhook. */
    record Claimed(
            long id,
            String url,
            String secret,
            String eventId,
            String type,
            String upgradeId,
            String payload,
            Instant createdAt,
            int attempts) {}

    /**
     * Sends what is due, one delivery at a time (at most {@value #PER_LOOK} a look); public for tests, which do not wait
     * for the schedule. Each is claimed on its own, for longer than one send can take, so that no other replica sends
     * it meanwhile.
     */
    @Scheduled(every = "${baton.webhooks.poll:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void sendDue() {
        for (int n = 0; n < PER_LOOK && !stopping; n++) {
            List<Claimed> due;
            try {
                due = claim();
            } catch (RuntimeException e) {
                LOG.debugf("webhook deliveries could not be claimed: %s", e.getMessage());
                return;
            }
            if (due.isEmpty()) {
                return;
            }
            Claimed d = due.get(0);
            record(d, send(d));
        }
    }

    static final int PER_LOOK = 20;

    @SuppressWarnings("unchecked")
    private List<Claimed> claim() {
        Instant now = Instant.now();
        // a send waits at most the connect timeout and the request timeout; the claim outlasts both
        Instant until = now.plus(timeout.multipliedBy(3));
        return tx
                .run(s -> s.createNativeQuery(
                                "select d.id from webhook_delivery d where d.delivered_at is null"
                                        + " and d.given_up_at is null and d.next_attempt_at <= :now"
                                        + " and (d.claimed_until is null or d.claimed_until < :now)"
                                        + " order by d.next_attempt_at, d.id limit 1 for update skip locked",
                                Long.class)
                        .setParameter("now", now)
                        .getResultList()
                        .chain(ids -> ids.isEmpty()
                                ? io.smallrye.mutiny.Uni.createFrom().item(List.<Object[]>of())
                                : s.createMutationQuery("update WebhookDelivery set claimedBy = :me, claimedUntil ="
                                                + " :until where id in :ids")
                                        .setParameter("me", me)
                                        .setParameter("until", until)
                                        .setParameter("ids", ids)
                                        .executeUpdate()
                                        .chain(() -> s.createSelectionQuery(
                                                        "select d.id, w.url, w.secret, d.eventId, d.type, d.upgradeId,"
                                                                + " d.payload, d.createdAt, d.attempts from"
                                                                + " WebhookDelivery d, Webhook w where w.id ="
                                                                + " d.webhookId and d.id in :ids order by d.id",
                                                        Object[].class)
                                                .setParameter("ids", ids)
                                                .getResultList())))
                .stream()
                .map(r -> new Claimed(
                        (Long) r[0],
                        (String) r[1],
                        (String) r[2],
                        (String) r[3],
                        (String) r[4],
                        (String) r[5],
                        (String) r[6],
                        (Instant) r[7],
                        (Integer) r[8]))
                .toList();
    }

    /** Sends one delivery; returns why it failed, or null when the receiver took it. */
    String send(Claimed d) {
        String refused = forbiddenAddress(URI.create(d.url()).getHost());
        if (refused != null) {
            return refused;
        }
        byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create(d.url()))
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .header("ce-specversion", "1.0")
                            .header("ce-id", d.eventId())
                            .header("ce-source", SOURCE)
                            .header("ce-type", d.type())
                            .header("ce-subject", d.upgradeId())
                            .header(
                                    "ce-time",
                                    DateTimeFormatter.ISO_INSTANT.format(
                                            d.createdAt().truncatedTo(ChronoUnit.MILLIS)))
                            .header("Baton-Signature", "t=" + timestamp + ",v1=" + sign(d.secret(), timestamp, body))
                            .header("User-Agent", "Baton-Webhooks/1")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            return status / 100 == 2 ? null : "the receiver answered HTTP " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "could not reach " + host(d.url()) + ": " + e;
        }
    }

    /** The pause after the {@code tried}th failed attempt: {@code backoff}, doubling each time, at most {@code max}. */
    static Duration pause(int tried, Duration backoff, Duration max) {
        Duration pause = backoff.multipliedBy(1L << Math.min(Math.max(tried, 1) - 1, 30));
        return pause.compareTo(max) > 0 ? max : pause;
    }

    /**
     * Why Baton will not send to this host, or null: a link-local address (where clouds answer instance metadata and
     * credentials), an unspecified or a multicast one. Private and loopback addresses are allowed: receivers inside
     * the network are the usual case, and only an admin registers webhooks.
     */
    static String forbiddenAddress(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
                    return "refused: " + host + " is " + a.getHostAddress()
                            + ", a link-local, unspecified or multicast address; Baton sends webhooks to none of them";
                }
            }
            return null;
        } catch (java.net.UnknownHostException e) {
            return "could not resolve " + host;
        }
    }

    /** Where a webhook points, for logs: its host only, as a URL's path may carry a token. */
    static String host(String url) {
        URI uri = URI.create(url);
        return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /**
     * The signature a receiver checks: hex HMAC-SHA256 of {@code <timestamp>.<body>} with the webhook's secret. The
     * timestamp is signed too, so that a receiver can refuse an old delivery replayed.
     */
    public static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(Claimed d, String failure) {
        int tried = d.attempts() + 1;
        Instant now = Instant.now();
        boolean giveUp = failure != null && tried >= attempts;
        Duration pause = pause(tried, backoff, maxBackoff);
        Instant next = now.plus(pause);
        int updated;
        try {
            updated =
                    tx.run(s -> s.createMutationQuery("update WebhookDelivery set attempts = :tried, claimedBy = null,"
                                    + " claimedUntil = null, deliveredAt = :delivered, givenUpAt = :givenUp, lastError = :error,"
                                    + " nextAttemptAt = :next where id = :id and claimedBy = :me")
                            .setParameter("tried", tried)
                            .setParameter("delivered", failure == null ? now : null)
                            .setParameter("givenUp", giveUp ? now : null)
                            .setParameter("error", failure)
                            .setParameter("next", next)
                            .setParameter("id", d.id())
                            .setParameter("me", me)
                            .executeUpdate());
        } catch (RuntimeException e) {
            // the claim runs out and another look sends it again: at least once, as webhooks are
            LOG.warnf("the outcome of webhook delivery %d could not be recorded: %s", d.id(), e.getMessage());
            return;
        }
        if (updated != 1) {
            // the claim ran out and another replica took the delivery over: its outcome is the one that counts
            LOG.warnf("webhook delivery %d was taken over while it was sent; its outcome here is not recorded", d.id());
            return;
        }
        String outcome = failure == null ? "delivered" : giveUp ? "given_up" : "retried";
        Counter.builder("baton.webhook.deliveries")
                .description("Webhook delivery attempts by outcome: delivered, retried (a pause, then again), given_up")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
        if (giveUp) {
            LOG.errorf(
                    "webhook delivery %s of %s to %s given up after %d attempts: %s",
                    d.eventId(), d.type(), host(d.url()), tried, failure);
        } else if (failure != null) {
            LOG.infof(
                    "webhook delivery %s to %s failed (attempt %d), again in %s: %s",
                    d.eventId(), host(d.url()), tried, pause, failure);
        }
    }
}
