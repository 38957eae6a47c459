package io.baton.saga;

import io.baton.contracts.Json;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Records this service could not handle go to its dead-letter topic as they came, with headers saying why and where
 * from ({@code dead-letter-reason}, {@code dead-letter-topic}, {@code dead-letter-partition},
 * {@code dead-letter-offset}), before their offsets are committed: nothing is dropped in silence.
 */
@ApplicationScoped
public class DeadLetters {

    public static final String CHANNEL = "baton-dead-letter";
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** A record and why it is dead. */
    public record Letter(KafkaRecord<String, String> record, String reason) {}

    private final MutinyEmitter<String> emitter;

    private final SagaMetrics metrics;

    public DeadLetters(@Channel(CHANNEL) MutinyEmitter<String> emitter, SagaMetrics metrics) {
        this.emitter = emitter;
        this.metrics = metrics;
    }

    /** Sends the letters and returns once the broker has them all. */
    public void send(List<Letter> letters) {
        if (letters.isEmpty()) {
            return;
        }
        List<Uni<Void>> sends = letters.stream().map(this::send).toList();
        Uni.join().all(sends).andFailFast().await().atMost(Duration.ofMinutes(3));
    }

    private Uni<Void> send(Letter letter) {
        KafkaRecord<String, String> r = letter.record();
        LOG.warnf("a record of %s goes to the dead-letter topic: %s", r.getTopic(), letter.reason());
        metrics.deadLetter(r.getTopic(), "refused");
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.getHeaders()) {
            headers.add(h);
        }
        headers.add("dead-letter-reason", bytes(letter.reason()));
        headers.add("dead-letter-topic", bytes(r.getTopic()));
        headers.add("dead-letter-partition", bytes(Integer.toString(r.getPartition())));
        r.getMetadata(IncomingKafkaRecordMetadata.class)
                .ifPresent(m -> headers.add("dead-letter-offset", bytes(Long.toString(m.getOffset()))));
        OutgoingKafkaRecordMetadata<String> out = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(r.getKey())
                .withHeaders(headers)
                .build();
        return emitter.sendMessage(Message.of(r.getPayload(), Metadata.of(out)));
    }

    /** Sends events that were parked (their record is gone) with why they are dead; returns once the broker has them. */
    public void sendParked(List<Received> events, String reason) {
        if (events.isEmpty()) {
            return;
        }
        List<Uni<Void>> sends = new java.util.ArrayList<>();
        for (Received e : events) {
            LOG.warnf("parked event %s of %s goes to the dead-letter topic: %s", e.eventId(), e.topic(), reason);
            metrics.deadLetter(e.topic(), "parked");
            RecordHeaders headers = new RecordHeaders();
            headers.add("ce_id", bytes(e.eventId()));
            headers.add("ce_type", bytes(e.type()));
            headers.add("dead-letter-reason", bytes(reason));
            headers.add("dead-letter-topic", bytes(e.topic()));
            OutgoingKafkaRecordMetadata<String> out = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(e.event().upgradeId())
                    .withHeaders(headers)
                    .build();
            sends.add(emitter.sendMessage(Message.of(Json.write(e.event()), Metadata.of(out))));
        }
        Uni.join().all(sends).andFailFast().await().atMost(Duration.ofMinutes(3));
    }

    private static byte[] bytes(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
