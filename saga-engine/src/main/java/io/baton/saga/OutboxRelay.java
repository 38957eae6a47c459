package io.baton.saga;

import io.baton.common.Wait;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox in insertion order: a batch of unpublished records is handed to the producer at once (the
 * producer keeps their order per partition), and once the broker acknowledged them all they are marked published in
 * one transaction. A crash between the two publishes them again with the same event ids, which consumers skip.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "baton-out";
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final MutinyEmitter<String> emitter;
    private final Tx tx;
    private final SagaConfig config;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;

    public OutboxRelay(
            @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                    MutinyEmitter<String> emitter,
            Tx tx,
            SagaConfig config) {
        this.emitter = emitter;
        this.tx = tx;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        Thread thread = new Thread(this::loop, "outbox-relay");
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
                while (running && publishBatch() == config.relayBatch()) {
                    // a full batch: there may be more right behind it
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

    private int publishBatch() {
        List<OutboxRecord> batch = tx.run(s -> s.createSelectionQuery(
                        "from OutboxRecord where publishedAt is null order by id", OutboxRecord.class)
                .setMaxResults(config.relayBatch())
                .getResultList());
        if (batch.isEmpty()) {
            return 0;
        }
        List<Uni<Long>> sends = new ArrayList<>(batch.size());
        for (OutboxRecord record : batch) {
            Long id = record.id;
            sends.add(emitter.sendMessage(toMessage(record)).replaceWith(id));
        }
        // every send is under way before the first acknowledgement is awaited
        List<Long> published =
                Uni.join().all(sends).andCollectFailures().await().indefinitely();
        tx.run(s -> s.createMutationQuery("update OutboxRecord set publishedAt = :now where id in :ids")
                .setParameter("now", Instant.now())
                .setParameter("ids", published)
                .executeUpdate());
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

    private void pauseAfterFailure() {
        try {
            Wait.forThe("the broker to take events again", Duration.ofMillis(500))
                    .stopIf(() -> !running, "the service is stopping")
                    .elapse();
        } catch (Wait.Stopped stopping) {
            // the loop ends
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
