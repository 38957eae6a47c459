package io.baton.saga;

import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.api.Limits;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads the saga topics of every service a poll at a time and hands the poll's events to the {@link Choreography} in
 * one transaction. A record that is not a saga event, or an event whose processing fails in a way that trying again
 * cannot cure ({@link Failures}), goes to this service's dead-letter topic and the others go on; an event the
 * database cannot take yet is tried again until it can, so nothing is lost.
 */
@ApplicationScoped
public class SagaConsumer {

    public static final String CHANNEL = "baton-in";
    private static final Logger LOG = Logger.getLogger(SagaConsumer.class);

    private final Choreography choreography;
    private final DeadLetters deadLetters;
    private final SagaConfig config;
    private final Traces traces;
    private volatile boolean stopping;

    public SagaConsumer(Choreography choreography, DeadLetters deadLetters, SagaConfig config, Traces traces) {
        this.traces = traces;
        this.choreography = choreography;
        this.deadLetters = deadLetters;
        this.config = config;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(KafkaRecordBatch<String, String> batch) {
        if (LOG.isDebugEnabled()) {
            long now = System.currentTimeMillis();
            LOG.debugf(
                    "a poll of %d record(s), the oldest published %d ms ago",
                    batch.getRecords().size(),
                    batch.getRecords().stream()
                            .mapToLong(r -> now - r.getTimestamp().toEpochMilli())
                            .max()
                            .orElse(0));
        }
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        List<Received> events = new ArrayList<>();
        Map<Received, KafkaRecord<String, String>> records = new IdentityHashMap<>();
        List<DeadLetters.Letter> poison = new ArrayList<>();
        for (KafkaRecord<String, String> record : batch.getRecords()) {
            if (!choreography.mayConcern(header(record, "ce_" + OutboxRelay.CONCERNS))) {
                continue;
            }
            try {
                Received event = read(record);
                events.add(event);
                records.put(event, record);
            } catch (RuntimeException e) {
                poison.add(new DeadLetters.Letter(record, "not a Baton saga event: " + e.getMessage()));
            }
        }
        try {
            deadLetters.send(poison);
            handle(events, records);
        } catch (Stop e) {
            // neither ack nor nack: the offsets are not committed and the events come again after a restart
            return new CompletableFuture<>();
        }
        trace(events, records, startedAt);
        LOG.debugf("%d event(s) handled in %d ms", events.size(), (System.nanoTime() - started) / 1_000_000);
        return batch.ack();
    }

    /**
     * Each handled event's hop as a span, a child of its publishing span when the record's {@code traceparent} is of
     * the event's own upgrade (of the upgrade's root span otherwise).
     */
    private void trace(List<Received> events, Map<Received, KafkaRecord<String, String>> records, Instant startedAt) {
        if (!traces.enabled()) {
            return;
        }
        Instant now = Instant.now();
        for (Received r : events) {
            String upgradeId = r.event().upgradeId();
            traces.record(new Traces.Span(
                    upgradeId,
                    Traces.newSpanId(),
                    Traces.parentFrom(header(records.get(r), OutboxRelay.TRACEPARENT), upgradeId),
                    "process " + r.type(),
                    Traces.Kind.CONSUMER,
                    startedAt,
                    now,
                    Traces.attributes(
                            "messaging.system",
                            "kafka",
                            "messaging.operation.type",
                            "process",
                            "messaging.destination.name",
                            r.topic(),
                            "messaging.message.id",
                            r.eventId()),
                    null));
        }
    }

    /** Handles the events in one transaction; if one of them is poison, each alone, to dead-letter only that one. */
    private void handle(List<Received> events, Map<Received, KafkaRecord<String, String>> records) throws Stop {
        if (events.isEmpty()) {
            return;
        }
        try {
            Wait.forThe("the database to take " + events.size() + " event(s)", config.recordTimeout())
                    .backingOff(Duration.ofMillis(100), Duration.ofSeconds(5))
                    .stopIf(() -> stopping, "the service is stopping")
                    .untilValue(() -> attempt(events, records));
        } catch (Wait.Stopped | InterruptedException e) {
            throw new Stop();
        } catch (Wait.TimedOut e) {
            LOG.errorf("%s; stopping the service so that they come again after a restart", e.getMessage());
            Quarkus.asyncExit(3);
            throw new Stop();
        }
    }

    /** TRUE once the events are handled (or dead-lettered); null when the database did not take them yet. */
    private Boolean attempt(List<Received> events, Map<Received, KafkaRecord<String, String>> records) throws Stop {
        try {
            choreography.handle(events);
            return Boolean.TRUE;
        } catch (RuntimeException e) {
            if (Failures.isTransient(e)) {
                LOG.warnf("%d event(s) not processed yet, trying again: %s", events.size(), e.getMessage());
                return null;
            }
            if (events.size() == 1) {
                LOG.errorf(e, "event %s cannot be processed", events.get(0).eventId());
                deadLetters.send(List.of(
                        new DeadLetters.Letter(records.get(events.get(0)), "cannot be processed: " + e.getMessage())));
                return Boolean.TRUE;
            }
            for (Received one : events) {
                handle(List.of(one), records);
            }
            return Boolean.TRUE;
        }
    }

    /** The event in a record with binary-mode CloudEvents headers; throws, saying what is wrong, for anything else. */
    static Received read(KafkaRecord<String, String> record) {
        String id = header(record, "ce_id");
        String type = header(record, "ce_type");
        if (id == null || id.isBlank() || type == null || type.isBlank()) {
            throw new IllegalArgumentException("the record has no CloudEvents id and type (ce_id, ce_type headers)");
        }
        if (record.getPayload() == null) {
            throw new IllegalArgumentException("the record has no payload");
        }
        checkText("ce_id", id, ID_LIMIT);
        checkText("ce_type", type, ID_LIMIT);
        if (record.getPayload().length() > PAYLOAD_LIMIT) {
            throw new IllegalArgumentException("its payload is "
                    + record.getPayload().length() + " characters; a Baton event is at most " + PAYLOAD_LIMIT);
        }
        if (record.getPayload().indexOf('\0') >= 0
                || record.getPayload().contains("\\u0000")
                || record.getPayload().indexOf('\uFFFD') >= 0) {
            throw new IllegalArgumentException(
                    "its payload holds a NUL character or bytes that are not UTF-8; no Baton service writes those");
        }
        Owner publisher = publisherOf(record.getTopic());
        String source = header(record, "ce_source");
        if (!publisher.source().equals(source) || !type.startsWith("baton." + publisher.code() + ".")) {
            throw new IllegalArgumentException("its source " + source + " and type " + type + " are not those of "
                    + record.getTopic() + "'s publisher, " + publisher.source());
        }
        SagaEvent event = validate(Json.read(record.getPayload(), SagaEvent.class));
        Owner speaker = speakerOf(event);
        if (speaker != publisher) {
            throw new IllegalArgumentException("a " + event.phase() + " event "
                    + (event.step() >= 0 ? "about step " + event.step() + " " : "") + "comes from " + speaker.source()
                    + " only, not from " + publisher.source());
        }
        return new Received(id, type, event, record.getTopic());
    }

    /** The service whose topic this is: each writes its own, and only its own. */
    static Owner publisherOf(String topic) {
        for (Owner o : Owner.values()) {
            if (o.topic().equals(topic)) {
                return o;
            }
        }
        throw new IllegalArgumentException("the topic " + topic + " is no Baton service's");
    }

    /**
     * Who may say this: a step's owner speaks of its step (started, done, failed, undone); the planner alone requests
     * an upgrade, asks for an abort and announces the end.
     */
    static Owner speakerOf(SagaEvent event) {
        return event.phase().aboutAStep() ? event.slip().step(event.step()).owner() : Owner.PLANNER;
    }

    private static String header(KafkaRecord<String, String> record, String name) {
        Header h = record.getHeaders().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static SagaEvent validate(SagaEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("the record has no payload");
        }
        if (event.upgradeId() == null || event.upgradeId().isBlank()) {
            throw new IllegalArgumentException("the event has no upgradeId");
        }
        if (!event.upgradeId().matches(UPGRADE_ID)) {
            throw new IllegalArgumentException(
                    "its upgradeId is not an upgrade id (letters, digits and '-', at most 64)");
        }
        if (event.deployment() == null || !event.deployment().matches(Limits.NAME)) {
            throw new IllegalArgumentException("its deployment is not a deployment name: " + Limits.NAME_MESSAGE);
        }
        if (event.actor() != null) {
            checkText("actor", event.actor(), ID_LIMIT);
        }
        if (event.reason() != null && event.reason().length() > Limits.SCRIPT) {
            throw new IllegalArgumentException("its reason is longer than " + Limits.SCRIPT + " characters");
        }
        if (event.phase() == null) {
            throw new IllegalArgumentException("the event has no phase");
        }
        if (event.slip() == null || event.slip().steps().isEmpty()) {
            throw new IllegalArgumentException("the event has no routing slip");
        }
        if (event.step() >= event.slip().steps().size() || event.step() < -1) {
            throw new IllegalArgumentException("the event's step " + event.step() + " is not in its routing slip");
        }
        if (event.phase().aboutAStep() && event.step() < 0) {
            throw new IllegalArgumentException("a " + event.phase() + " event must name its step");
        }
        return event;
    }

    /** The longest id, type or name a record may carry: what the services' tables hold. */
    static final int ID_LIMIT = 255;
    /** The largest event: a request is at most 512 KiB, and its events carry it with their slip. */
    static final int PAYLOAD_LIMIT = 900 * 1024;

    private static final String UPGRADE_ID = "[A-Za-z0-9-]{1,64}";

    private static void checkText(String name, String value, int limit) {
        if (value.length() > limit) {
            throw new IllegalArgumentException(
                    "its " + name + " is " + value.length() + " characters; at most " + limit);
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("its " + name + " holds control characters");
        }
    }

    /** Stop handling: the service is stopping, and the poll's offsets must not be committed. */
    private static final class Stop extends Exception {
        Stop() {
            super("stopping", null, false, false);
        }
    }
}
