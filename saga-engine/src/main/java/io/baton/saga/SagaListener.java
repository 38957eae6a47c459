package io.baton.saga;

import io.baton.contracts.SagaEvent;
import io.smallrye.mutiny.Uni;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Sees every saga event once, inside the inbox transaction, before the engine reacts to it. The planner keeps its read
 * model this way; whatever it writes commits or rolls back with the event's processed record.
 */
public interface SagaListener {

    Uni<Void> onEvent(Mutiny.Session session, String eventId, String type, SagaEvent event);
}
