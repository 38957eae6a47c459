package io.baton.saga;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Runs a unit of work in one database transaction from a blocking thread. Steps and the Kafka consumer run on worker
 * threads; Hibernate Reactive needs a Vert.x context, which this supplies and waits on.
 */
@ApplicationScoped
public class Tx {

    private final Mutiny.SessionFactory sessions;

    public Tx(Mutiny.SessionFactory sessions) {
        this.sessions = sessions;
    }

    public <T> T run(Function<Mutiny.Session, Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(
                    () -> sessions.withTransaction((session, tx) -> work.apply(session)));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
