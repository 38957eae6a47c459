package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.SagaEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hibernate.reactive.mutiny.Mutiny;

/** Writes events into the outbox table of the current transaction; the relay gets them once it commits. */
@ApplicationScoped
public class Outbox {

    private final SagaConfig config;
    private final Tx tx;
    private final OutboxRelay relay;

    public Outbox(SagaConfig config, Tx tx, OutboxRelay relay) {
        this.config = config;
        this.tx = tx;
        this.relay = relay;
    }

    public Uni<Void> add(Mutiny.Session session, SagaEvent event) {
        OutboxRecord record = new OutboxRecord();
        record.eventId = UUID.randomUUID().toString();
        record.topic = config.owner().topic();
        record.recordKey = event.upgradeId();
        record.subject = event.upgradeId();
        record.type = event.type(config.owner());
        record.payload = Json.write(event);
        record.concerns =
                SagaRules.readers(event).stream().map(Owner::code).sorted().collect(Collectors.joining(","));
        record.createdAt = event.occurredAt() != null ? event.occurredAt() : Instant.now();
        return session.persist(record).invoke(() -> tx.afterCommit(session, () -> relay.committed(record)));
    }
}
