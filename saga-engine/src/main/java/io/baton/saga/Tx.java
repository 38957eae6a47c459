package io.baton.saga;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Runs a unit of work in one database transaction from a blocking thread. Steps and the Kafka consumer run on worker
 * threads; Hibernate Reactive needs a Vert.x context, which this supplies and waits on. Work can ask for something to
 * happen once its transaction has committed (the outbox hands its events to the relay that way).
 */
@ApplicationScoped
public class Tx {

    private final Mutiny.SessionFactory sessions;
    private final Map<Mutiny.Session, List<Runnable>> afterCommit = new IdentityHashMap<>();

    public Tx(Mutiny.SessionFactory sessions) {
        this.sessions = sessions;
    }

    public <T> T run(Function<Mutiny.Session, Uni<T>> work) {
        List<Mutiny.Session> session = new ArrayList<>(1);
        try {
            T result = VertxContextSupport.subscribeAndAwait(() -> sessions.withTransaction((s, tx) -> {
                session.add(s);
                return work.apply(s);
            }));
            hooks(session).forEach(Runnable::run);
            return result;
        } catch (RuntimeException | Error e) {
            hooks(session);
            throw e;
        } catch (Throwable t) {
            hooks(session);
            throw new IllegalStateException(t);
        }
    }

    /** Runs {@code hook} once the transaction of {@code s} has committed; never if it rolls back. */
    public void afterCommit(Mutiny.Session s, Runnable hook) {
        synchronized (afterCommit) {
            afterCommit.computeIfAbsent(s, k -> new ArrayList<>()).add(hook);
        }
    }

    private List<Runnable> hooks(List<Mutiny.Session> session) {
        if (session.isEmpty()) {
            return List.of();
        }
        synchronized (afterCommit) {
            List<Runnable> hooks = afterCommit.remove(session.get(0));
            return hooks == null ? List.of() : hooks;
        }
    }
}
