package io.baton.saga;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox in insertion order, one record at a time, and marks a record published only once the broker
 * acknowledged it. A crash between the two re-publishes the record with the same event id, which consumers skip.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "baton-out";
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;

    private final MutinyEmitter<String> emitter;
    private final Tx tx;
    private final SagaConfig config;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    public OutboxRelay(@Channel(CHANNEL) MutinyEmitter<String> emitter, Tx tx, SagaConfig config) {
        this.emitter = emitter;
        this.tx = tx;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake.release();
    }

    /** Asks the relay to publish now rather than at its next poll; called after every commit that wrote events. */
    public void wake() {
        wake.release();
    }

    private void loop() {
        while (running) {
            try {
                wake.tryAcquire(config.relayInterval().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                while (running && publishBatch() == BATCH) {
                    // a full batch: there may be more right behind it
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay could not publish, retrying shortly: %s", e.getMessage());
                sleepQuietly(500);
            }
        }
    }

    private int publishBatch() {
        List<OutboxRecord> batch =
                tx.run(s -> s.createQuery("from OutboxRecord where publishedAt is null order by id", OutboxRecord.class)
                        .setMaxResults(BATCH)
                        .getResultList());
        for (OutboxRecord record : batch) {
            emitter.sendMessageAndAwait(toMessage(record));
            Long id = record.id;
            tx.run(s -> s.createMutationQuery("update OutboxRecord set publishedAt = :now where id = :id")
                    .setParameter("now", Instant.now())
                    .setParameter("id", id)
                    .executeUpdate()
                    .replaceWithVoid());
        }
        return batch.size();
    }

    private Message<String> toMessage(OutboxRecord record) {
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.recordKey)
                .withTopic(record.topic)
                .build();
        OutgoingCloudEventMetadata<Object> cloudEvent = OutgoingCloudEventMetadata.builder()
                .withId(record.eventId)
                .withSource(URI.create(config.owner().source()))
                .withType(record.type)
                .withSubject(record.subject)
                .withTimestamp(record.createdAt.atZone(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .build();
        return Message.of(record.payload, Metadata.of(kafka, cloudEvent));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
