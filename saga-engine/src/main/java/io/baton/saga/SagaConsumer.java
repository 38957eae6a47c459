package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads the saga topics of every service. A record that is not a saga event goes to this service's dead-letter topic
 * and the partition moves on; a record that is one is retried until the database takes it, so nothing is lost.
 */
@ApplicationScoped
public class SagaConsumer {

    public static final String CHANNEL = "baton-in";
    private static final Logger LOG = Logger.getLogger(SagaConsumer.class);

    private final SagaEngine engine;
    private volatile boolean stopping;

    public SagaConsumer(SagaEngine engine) {
        this.engine = engine;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<String> message) {
        String eventId;
        String type;
        SagaEvent event;
        try {
            IncomingCloudEventMetadata<?> cloudEvent = message.getMetadata(IncomingCloudEventMetadata.class)
                    .orElseThrow(() -> new IllegalArgumentException("the record has no CloudEvents headers"));
            eventId = cloudEvent.getId();
            type = cloudEvent.getType();
            event = validate(Json.read(message.getPayload(), SagaEvent.class));
        } catch (RuntimeException e) {
            LOG.warnf("a record that is not a Baton saga event goes to the dead-letter topic: %s", e.getMessage());
            return message.nack(e);
        }
        long backoff = 100;
        while (true) {
            if (stopping) {
                // neither ack nor nack: the offset is not committed and the event comes again after restart
                return new CompletableFuture<>();
            }
            try {
                engine.onEvent(eventId, type, event);
                return message.ack();
            } catch (RuntimeException e) {
                if (isPoison(e)) {
                    LOG.errorf(e, "event %s (%s) cannot be processed; it goes to the dead-letter topic", eventId, type);
                    return message.nack(e);
                }
                LOG.warnf(
                        "event %s (%s) not processed yet, retrying in %d ms: %s",
                        eventId, type, backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return new CompletableFuture<>();
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /**
     * An error that the same event will raise again however often it is retried: a bug or an event that passed
     * validation but is inconsistent. Anything else (the database is down, a lock timed out) is worth waiting for.
     */
    static boolean isPoison(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException
                    || t instanceof IndexOutOfBoundsException
                    || t instanceof NullPointerException
                    || t instanceof ClassCastException
                    || t instanceof UnsupportedOperationException) {
                return true;
            }
        }
        return false;
    }

    static SagaEvent validate(SagaEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("the record has no payload");
        }
        if (event.upgradeId() == null || event.upgradeId().isBlank()) {
            throw new IllegalArgumentException("the event has no upgradeId");
        }
        if (event.phase() == null) {
            throw new IllegalArgumentException("the event has no phase");
        }
        if (event.slip() == null || event.slip().steps().isEmpty()) {
            throw new IllegalArgumentException("the event has no routing slip");
        }
        if (event.step() >= event.slip().steps().size() || event.step() < -1) {
            throw new IllegalArgumentException("the event's step " + event.step() + " is not in its routing slip");
        }
        boolean aboutAStep =
                switch (event.phase()) {
                    case STEP_STARTED,
                            STEP_COMPLETED,
                            STEP_FAILED,
                            COMPENSATION_STARTED,
                            STEP_COMPENSATED,
                            COMPENSATION_FAILED -> true;
                    default -> false;
                };
        if (aboutAStep && event.step() < 0) {
            throw new IllegalArgumentException("a " + event.phase() + " event must name its step");
        }
        return event;
    }
}
