package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/** Writes events into the outbox table of the current transaction. */
@ApplicationScoped
public class Outbox {

    private final SagaConfig config;

    public Outbox(SagaConfig config) {
        this.config = config;
    }

    public Uni<Void> add(Mutiny.Session session, SagaEvent event) {
        OutboxRecord record = new OutboxRecord();
        record.eventId = UUID.randomUUID().toString();
        record.topic = config.owner().topic();
        record.recordKey = event.upgradeId();
        record.subject = event.upgradeId();
        record.type = event.type(config.owner());
        record.payload = Json.write(event);
        record.createdAt = event.occurredAt() != null ? event.occurredAt() : Instant.now();
        return session.persist(record);
    }
}
