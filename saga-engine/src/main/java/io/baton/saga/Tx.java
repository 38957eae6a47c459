package io.baton.saga;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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
    private final Duration timeout;
    private final Map<Mutiny.Session, List<Runnable>> afterCommit = new IdentityHashMap<>();

    public Tx(Mutiny.SessionFactory sessions, SagaConfig config) {
        this.sessions = sessions;
        this.timeout = config.txTimeout();
    }

    /**
     * Runs {@code work} in a transaction and waits for it, at most {@code baton.saga.tx-timeout}: a transaction
     * whose answer never comes (it happened: see RemoveAndLogTest) fails with a TimeoutException as its cause instead
     * of holding its caller forever, and PostgreSQL ends it when it stays idle (idle_in_transaction_session_timeout).
     */
    public <T> T run(Function<Mutiny.Session, Uni<T>> work) {
        AtomicReference<Mutiny.Session> session = new AtomicReference<>();
        CompletableFuture<T> result = new CompletableFuture<>();
        VertxContextSupport.<T>subscribe(
                () -> sessions.withTransaction((Mutiny.Session s, Mutiny.Transaction t) -> {
                            session.set(s);
                            return work.apply(s);
                        })
                        .toMulti(),
                subscribe ->
                        subscribe.with(result::complete, result::completeExceptionally, () -> result.complete(null)));
        try {
            T value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            hooks(session.get()).forEach(Runnable::run);
            return value;
        } catch (ExecutionException e) {
            hooks(session.get());
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            hooks(session.get());
            throw new IllegalStateException(
                    "the database did not finish a transaction within " + timeout + " (baton.saga.tx-timeout)", e);
        } catch (InterruptedException e) {
            hooks(session.get());
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** Runs {@code hook} once the transaction of {@code s} has committed; never if it rolls back. */
    public void afterCommit(Mutiny.Session s, Runnable hook) {
        synchronized (afterCommit) {
            afterCommit.computeIfAbsent(s, k -> new ArrayList<>()).add(hook);
        }
    }

    private List<Runnable> hooks(Mutiny.Session session) {
        if (session == null) {
            return List.of();
        }
        synchronized (afterCommit) {
            List<Runnable> hooks = afterCommit.remove(session);
            return hooks == null ? List.of() : hooks;
        }
    }
}
