package io.baton.saga;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/** The ids of the events this service handled, recorded in the transaction of their effects. */
@ApplicationScoped
public class Inbox {

    /**
     * Records a batch of event ids in one statement and returns those seen for the first time; the others are
     * redeliveries, whose effects are already committed.
     */
    public Uni<Set<String>> record(Mutiny.Session s, List<Received> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        String sql = "insert into processed_event (event_id, type, upgrade_id, processed_at) values "
                + Rows.placeholders(events.size(), 4) + " on conflict (event_id) do nothing returning event_id";
        var query = s.createNativeQuery(sql, String.class);
        Instant now = Instant.now();
        for (int i = 0; i < events.size(); i++) {
            Received e = events.get(i);
            query.setParameter(i * 4 + 1, e.eventId());
            query.setParameter(i * 4 + 2, e.type());
            query.setParameter(i * 4 + 3, e.event().upgradeId());
            query.setParameter(i * 4 + 4, now);
        }
        return query.getResultList().map(HashSet::new);
    }
}
