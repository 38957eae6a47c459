package io.baton.saga;

import io.smallrye.mutiny.Uni;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Sees every saga event once, inside the inbox transaction, before the engine reacts to it: a poll's new events at a
 * time, in the order they came. The planner keeps its read model this way; whatever it writes commits or rolls back
 * with the events' inbox records.
 */
public interface SagaListener {

    Uni<Void> onEvents(Mutiny.Session session, List<Received> events);
}
