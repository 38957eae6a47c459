package io.baton.saga;

import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox. A transaction that wrote events hands them over as it commits, so that they leave at once;
 * the outbox table stays the truth, read at start and every {@code baton.saga.relay-interval} for whatever was not
 * handed over (written before a crash, say). A batch is handed to the producer at once (it keeps their order per
 * partition, by outbox id), and once the broker acknowledged it, it is marked published in one transaction. A crash
 * between the two publishes it again with the same event ids, which consumers skip.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "baton-out";
    /**
     * A CloudEvents extension: the services the event asks to decide, so that the others can pass it by without
     * reading it. Only a hint: a reader that has it decides from the event all the same.
     */
    public static final String CONCERNS = "batonconcerns";

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The W3C trace context header each published record carries (see {@link Traces}). */
    public static final String TRACEPARENT = "traceparent";
    /** How many published ids to remember, so that one handed over late is not sent twice. */
    private static final int REMEMBERED = 100_000;

    private final MutinyEmitter<String> emitter;
    private final Tx tx;
    private final SagaConfig config;
    private final Instance<RefusedEvents> refusedListeners;
    private final Traces traces;
    private final Semaphore wake = new Semaphore(0);
    private final ConcurrentLinkedQueue<OutboxRecord> handedOver = new ConcurrentLinkedQueue<>();
    private final Set<Long> sent = java.util.Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });
    private final List<Long> toMark = new ArrayList<>();
    private volatile boolean running;
    /** Whether this replica holds the service's relay lease: only the holder publishes (see {@link #holdLease}). */
    private volatile boolean leader;

    public OutboxRelay(
            @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                    MutinyEmitter<String> emitter,
            Tx tx,
            SagaConfig config,
            @Any Instance<RefusedEvents> refusedListeners,
            Traces traces) {
        this.emitter = emitter;
        this.traces = traces;
        this.tx = tx;
        this.config = config;
        this.refusedListeners = refusedListeners;
    }

    void start(@Observes StartupEvent event) {
        remind();
        holdLease();
        running = true;
        Thread thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake.release();
    }

    /** This replica, as the holder of the relay lease: {@code <service>-<baton.saga.instance-id>}. */
    String me() {
        return config.owner().code() + "-" + config.instanceId();
    }

    /**
     * Takes or renews the service's relay lease ({@code relay_lease}, {@code baton.saga.lease}), every heartbeat: one
     * replica publishes the outbox, in id order; another takes over once the holder's lease has passed. A replica
     * that is not the holder leaves its events in the table for the holder's next look. Public for tests.
     */
    @io.quarkus.scheduler.Scheduled(every = "${baton.saga.heartbeat}", delayed = "${baton.saga.heartbeat}")
    public void holdLease() {
        try {
            Instant until = Instant.now().plus(config.lease());
            List<?> held = tx.run(s -> s.createNativeQuery(
                            "insert into relay_lease (service, owner, lease_until) values (:service, :me, :until)"
                                    + " on conflict (service) do update set owner = :me, lease_until = :until"
                                    + " where relay_lease.owner = :me or relay_lease.lease_until < now()"
                                    + " returning owner",
                            String.class)
                    .setParameter("service", config.owner().code())
                    .setParameter("me", me())
                    .setParameter("until", until)
                    .getResultList());
            boolean was = leader;
            leader = !held.isEmpty();
            if (leader != was) {
                LOG.infof(leader ? "this replica publishes the outbox" : "another replica publishes the outbox");
                wake.release();
            }
        } catch (RuntimeException e) {
            // no answer from the database: keep what was known; a lease not renewed passes on its own
            LOG.warnf("the relay lease could not be renewed: %s", e.getMessage());
        }
    }

    /** An event its transaction has just committed: it leaves now rather than at the next look at the table. */
    void committed(OutboxRecord record) {
        handedOver.add(record);
        wake.release();
    }

    private void loop() {
        long nextLook = 0;
        while (running) {
            try {
                boolean woken = wake.tryAcquire(config.relayInterval().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                boolean look = !woken || System.nanoTime() >= nextLook;
                if (look) {
                    nextLook = System.nanoTime() + config.relayInterval().toNanos();
                }
                while (running && publish(look) == config.relayBatch()) {
                    look = true; // a full batch: there may be more right behind it
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay could not publish, retrying shortly: %s", e.getMessage());
                pauseAfterFailure();
            }
        }
    }

    /** Sends what was handed over, and what the table holds unpublished when {@code look}; returns how many. */
    private int publish(boolean look) {
        if (!leader) {
            handedOver.clear(); // the holder finds them in the table
            return 0;
        }
        TreeMap<Long, OutboxRecord> batch = new TreeMap<>();
        for (OutboxRecord r; batch.size() < config.relayBatch() && (r = handedOver.poll()) != null; ) {
            if (r.id != null && !sent.contains(r.id)) {
                batch.put(r.id, r);
            }
        }
        if (look) {
            tx
                    .run(s -> s.createSelectionQuery(
                                    "from OutboxRecord where publishedAt is null and refusedAt is null order by id",
                                    OutboxRecord.class)
                            .setMaxResults(config.relayBatch())
                            .getResultList())
                    .stream()
                    .filter(r -> !sent.contains(r.id))
                    .forEach(r -> batch.putIfAbsent(r.id, r));
        }
        if (!batch.isEmpty()) {
            send(List.copyOf(batch.values()));
        }
        markPublished();
        return batch.size();
    }

    /** How one send ended: published, refused for good (with why), or to try again. */
    private record Sent(OutboxRecord record, String spanId, Throwable failure) {}

    private void send(List<OutboxRecord> batch) {
        List<Uni<Sent>> sends = new ArrayList<>(batch.size());
        // in outbox id order: the batch comes from a map sorted by id
        batch.forEach(record -> {
            String spanId = Traces.newSpanId();
            sends.add(emitter.sendMessage(toMessage(record, spanId))
                    .replaceWith(new Sent(record, spanId, null))
                    .onFailure()
                    .recoverWithItem(e -> new Sent(record, spanId, e)));
        });
        // every send is under way before the first acknowledgement is awaited; the producer's delivery timeout
        // (two minutes by default) ends a send that the broker never acknowledges
        List<Sent> outcomes = Uni.join().all(sends).andFailFast().await().atMost(Duration.ofMinutes(3));
        RuntimeException retry = null;
        for (Sent outcome : outcomes) {
            trace(outcome);
            if (outcome.failure() == null) {
                sent.add(outcome.record().id);
                toMark.add(outcome.record().id);
            } else if (refusedForGood(outcome.failure())) {
                setAside(outcome.record(), outcome.failure());
            } else if (retry == null) {
                retry = new IllegalStateException(
                        "the broker did not take event " + outcome.record().eventId + ": "
                                + outcome.failure().getMessage(),
                        outcome.failure());
            }
        }
        if (retry != null) {
            // what went out is marked; the rest is tried again after a pause
            markPublished();
            throw retry;
        }
    }

    /**
     * A send that trying again cannot cure: the record is too large, or the broker refuses it as invalid. Timeouts,
     * a broker that is down or a leader that moved are retriable and are not this.
     */
    static boolean refusedForGood(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException
                    || t instanceof RecordBatchTooLargeException
                    || t instanceof InvalidRecordException
                    || t instanceof SerializationException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Puts a refused event aside with the reason, so that the events behind it flow, and tells whoever in this service
     * must act on it (the planner fails the upgrade it would have started).
     */
    private void setAside(OutboxRecord record, Throwable failure) {
        String reason = "the broker refused event " + record.type + " (" + record.payload.length() + " characters): "
                + failure.getMessage();
        LOG.errorf("outbox event %s of upgrade %s set aside: %s", record.eventId, record.recordKey, reason);
        tx.run(s -> s.createMutationQuery(
                        "update OutboxRecord set refusedAt = :now, refusedReason = :why where id = :id")
                .setParameter("now", Instant.now())
                .setParameter("why", reason)
                .setParameter("id", record.id)
                .executeUpdate());
        sent.add(record.id);
        tell(record, reason);
    }

    private void tell(OutboxRecord record, String reason) {
        for (RefusedEvents listener : refusedListeners) {
            try {
                listener.refused(Json.read(record.payload, SagaEvent.class), reason);
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not act on the refused event %s", record.eventId);
            }
        }
    }

    /**
     * Tells the listeners again of the events set aside in the last week: the service may have stopped between
     * setting one aside and acting on it. Each listener acts once (it checks what it recorded), so a second telling
     * changes nothing.
     */
    private void remind() {
        List<OutboxRecord> refused = tx.run(s -> s.createSelectionQuery(
                        "from OutboxRecord where refusedAt > :since order by id", OutboxRecord.class)
                .setParameter("since", Instant.now().minus(Duration.ofDays(7)))
                .getResultList());
        for (OutboxRecord record : refused) {
            tell(record, record.refusedReason);
        }
    }

    /** Marks what was sent as published, in one transaction; kept for the next round if the database refuses. */
    private void markPublished() {
        if (toMark.isEmpty()) {
            return;
        }
        List<Long> ids = List.copyOf(toMark);
        tx.run(s -> s.createMutationQuery("update OutboxRecord set publishedAt = :now where id in :ids")
                .setParameter("now", Instant.now())
                .setParameter("ids", ids)
                .executeUpdate());
        toMark.clear();
    }

    /** The hop from the outbox to the broker as a span: from the event's writing to the broker's acknowledgement. */
    private void trace(Sent outcome) {
        if (!traces.enabled()) {
            return;
        }
        OutboxRecord record = outcome.record();
        traces.record(new Traces.Span(
                record.subject,
                outcome.spanId(),
                Traces.rootSpanId(record.subject),
                "publish " + record.type,
                Traces.Kind.PRODUCER,
                record.createdAt,
                Instant.now(),
                Traces.attributes(
                        "messaging.system",
                        "kafka",
                        "messaging.operation.type",
                        "send",
                        "messaging.destination.name",
                        record.topic,
                        "messaging.message.id",
                        record.eventId),
                outcome.failure() == null
                        ? null
                        : String.valueOf(outcome.failure().getMessage())));
    }

    /** The record with its CloudEvents headers and, as {@code traceparent}, the span of its publishing. */
    private Message<String> toMessage(OutboxRecord record, String spanId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(
                TRACEPARENT,
                Traces.traceparent(record.subject, spanId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.recordKey)
                .withTopic(record.topic)
                .withHeaders(headers)
                .build();
        OutgoingCloudEventMetadata<Object> cloudEvent = OutgoingCloudEventMetadata.builder()
                .withId(record.eventId)
                .withSource(URI.create(config.owner().source()))
                .withType(record.type)
                .withSubject(record.subject)
                .withTimestamp(record.createdAt.atZone(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withExtension(CONCERNS, record.concerns == null ? "" : record.concerns)
                .build();
        return Message.of(record.payload, Metadata.of(kafka, cloudEvent));
    }

    private void pauseAfterFailure() {
        try {
            Wait.forThe("the broker and the database to take events again", Duration.ofMillis(500))
                    .stopIf(() -> !running, "the service is stopping")
                    .elapse();
        } catch (Wait.Stopped stopping) {
            // the loop ends
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
