package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.saga.StepExecution.Mode;
import io.baton.saga.StepExecution.State;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * The routing-slip choreography as seen from one service. For every saga event it decides, from the slip alone,
 * whether this service must act: run the next step when the one before completed, or compensate the newest completed
 * step during a rollback. Each decision is one transaction with the inbox record and the outgoing event.
 */
@ApplicationScoped
public class SagaEngine {

    static final String ABORTED = "aborted by the operator";
    private static final Logger LOG = Logger.getLogger(SagaEngine.class);

    private final SagaConfig config;
    private final Tx tx;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final Instance<SagaListener> listeners;
    private final FaultInjector faults;
    private final Map<StepName, StepHandler> handlers = new EnumMap<>(StepName.class);
    private final Set<String> aborted = ConcurrentHashMap.newKeySet();
    /** Executions running in this process: a step is never run by two threads at once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    private final ExecutorService workers;
    private volatile boolean stopping;

    public SagaEngine(
            SagaConfig config,
            Tx tx,
            Outbox outbox,
            OutboxRelay relay,
            Instance<StepHandler> stepHandlers,
            Instance<SagaListener> listeners,
            FaultInjector faults) {
        this.config = config;
        this.tx = tx;
        this.outbox = outbox;
        this.relay = relay;
        this.listeners = listeners;
        this.faults = faults;
        for (StepHandler handler : stepHandlers) {
            if (handler.step().owner() != config.owner()) {
                throw new IllegalStateException(handler.step() + " is owned by "
                        + handler.step().owner() + ", not by this service (" + config.owner() + ")");
            }
            handlers.put(handler.step(), handler);
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "saga-step-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Resumes what this service was doing when it stopped: steps still RUNNING are run again (idempotently). Runs
     * before the Kafka consumers start, so that a step is not submitted by both.
     */
    void recover(@Observes @Priority(500) StartupEvent event) {
        List<SagaRecord> abortedSagas =
                tx.run(s -> s.createQuery("from SagaRecord where aborted = true", SagaRecord.class)
                        .getResultList());
        abortedSagas.forEach(saga -> aborted.add(saga.upgradeId));
        List<StepExecution> running = tx.run(
                s -> s.createQuery("from StepExecution where state = :state order by startedAt", StepExecution.class)
                        .setParameter("state", State.RUNNING)
                        .getResultList());
        for (StepExecution execution : running) {
            LOG.infof(
                    "resuming %s of step %d (%s) of upgrade %s after a restart",
                    execution.mode, execution.stepIndex, execution.stepName, execution.upgradeId);
            submit(execution.id);
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        stopping = true;
        workers.shutdownNow();
    }

    public boolean handles(StepName step) {
        return handlers.containsKey(step);
    }

    public boolean isAborted(String upgradeId) {
        return aborted.contains(upgradeId);
    }

    /** Handles one event from Kafka: at most once per event id, whatever the number of deliveries. */
    public void onEvent(String eventId, String type, SagaEvent event) {
        List<String> toRun = tx.run(s -> s.find(ProcessedEvent.class, eventId).chain(seen -> {
            if (seen != null) {
                return Uni.createFrom().item(List.<String>of());
            }
            return s.persist(new ProcessedEvent(eventId, type, event.upgradeId(), Instant.now()))
                    .chain(() -> notifyListeners(s, eventId, type, event))
                    .chain(() -> saga(s, event))
                    .chain(saga -> react(s, saga, event));
        }));
        if (event.phase() == Phase.ABORT_REQUESTED) {
            aborted.add(event.upgradeId());
        }
        relay.wake();
        toRun.forEach(this::submit);
    }

    private Uni<Void> notifyListeners(Mutiny.Session s, String eventId, String type, SagaEvent event) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SagaListener listener : listeners) {
            chain = chain.chain(() -> listener.onEvent(s, eventId, type, event));
        }
        return chain;
    }

    private Uni<SagaRecord> saga(Mutiny.Session s, SagaEvent event) {
        return s.find(SagaRecord.class, event.upgradeId(), LockModeType.PESSIMISTIC_WRITE)
                .chain(found -> {
                    SagaRecord saga = found;
                    Uni<Void> persist = Uni.createFrom().voidItem();
                    if (saga == null) {
                        saga = new SagaRecord();
                        saga.upgradeId = event.upgradeId();
                        saga.deployment = event.deployment();
                        persist = s.persist(saga);
                    }
                    saga.lastEvent = Json.write(event);
                    saga.updatedAt = Instant.now();
                    if (event.phase() == Phase.ABORT_REQUESTED) {
                        saga.aborted = true;
                    }
                    SagaRecord result = saga;
                    return persist.replaceWith(result);
                });
    }

    /**
     * Records, in the caller's transaction, that the operator aborted an upgrade: from then on this service starts no
     * step of it and turns around after the one it runs. The planner calls it when it accepts an abort, so that its
     * own gate cannot start after the abort was accepted.
     */
    public Uni<Void> markAborted(Mutiny.Session s, String upgradeId, String deployment) {
        return s.find(SagaRecord.class, upgradeId, LockModeType.PESSIMISTIC_WRITE)
                .chain(found -> {
                    if (found != null) {
                        found.aborted = true;
                        return Uni.createFrom().voidItem();
                    }
                    SagaRecord saga = new SagaRecord();
                    saga.upgradeId = upgradeId;
                    saga.deployment = deployment;
                    saga.aborted = true;
                    saga.updatedAt = Instant.now();
                    return s.persist(saga);
                })
                .invoke(() -> aborted.add(upgradeId));
    }

    /** The decision: which of this service's steps, if any, the event asks it to run or undo. */
    private Uni<List<String>> react(Mutiny.Session s, SagaRecord saga, SagaEvent event) {
        RoutingSlip slip = event.slip();
        return switch (event.phase()) {
            case REQUESTED -> startAction(s, saga, event, slip.step(0));
            case STEP_COMPLETED -> slip.after(event.step())
                    .map(next -> startAction(s, saga, event, next))
                    .orElse(nothing());
            case STEP_FAILED, STEP_COMPENSATED -> rollbackTarget(slip)
                    .map(target -> startCompensation(s, event, target))
                    .orElse(nothing());
                // a step of this service waiting on an operator turns around at once
            case ABORT_REQUESTED -> failWaiting(s, event.upgradeId(), ABORTED).replaceWith(List.<String>of());
            default -> nothing();
        };
    }

    /** The step a rollback undoes next; none once the pivot has started, since nothing before it is undone then. */
    public static Optional<SlipStep> rollbackTarget(RoutingSlip slip) {
        boolean pivotStarted =
                slip.steps().stream().anyMatch(step -> step.pivot() && step.status() != StepStatus.PENDING);
        return pivotStarted ? Optional.empty() : slip.nextToCompensate();
    }

    private Uni<List<String>> startAction(Mutiny.Session s, SagaRecord saga, SagaEvent trigger, SlipStep step) {
        if (step.owner() != config.owner()) {
            return nothing();
        }
        String id = StepExecution.key(trigger.upgradeId(), step.index(), Mode.ACTION);
        return s.find(StepExecution.class, id).chain(existing -> {
            if (existing != null) {
                return nothing();
            }
            Instant now = Instant.now();
            if (saga.aborted) {
                // the step never ran: it stays PENDING in the slip, which is what lets a pivot that never started
                // leave the rollback open
                return outbox.add(s, trigger.next(Phase.STEP_FAILED, step.index(), ABORTED, trigger.slip(), now))
                        .replaceWith(List.<String>of());
            }
            StepExecution execution = newExecution(id, trigger, step, Mode.ACTION, now);
            RoutingSlip slip = trigger.slip().withStatus(step.index(), StepStatus.RUNNING);
            return s.persist(execution)
                    .chain(() -> outbox.add(s, trigger.next(Phase.STEP_STARTED, step.index(), null, slip, now)))
                    .replaceWith(List.of(id));
        });
    }

    private Uni<List<String>> startCompensation(Mutiny.Session s, SagaEvent trigger, SlipStep step) {
        if (step.owner() != config.owner()) {
            return nothing();
        }
        String id = StepExecution.key(trigger.upgradeId(), step.index(), Mode.COMPENSATION);
        return s.find(StepExecution.class, id).chain(existing -> {
            if (existing != null) {
                return nothing();
            }
            Instant now = Instant.now();
            StepExecution execution = newExecution(id, trigger, step, Mode.COMPENSATION, now);
            return s.persist(execution)
                    .chain(() -> outbox.add(
                            s, trigger.next(Phase.COMPENSATION_STARTED, step.index(), null, trigger.slip(), now)))
                    .replaceWith(List.of(id));
        });
    }

    private static StepExecution newExecution(String id, SagaEvent trigger, SlipStep step, Mode mode, Instant now) {
        StepExecution execution = new StepExecution();
        execution.id = id;
        execution.upgradeId = trigger.upgradeId();
        execution.stepIndex = step.index();
        execution.stepName = step.name().name();
        execution.mode = mode;
        execution.state = State.RUNNING;
        execution.trigger = Json.write(trigger);
        execution.startedAt = now;
        return execution;
    }

    private static Uni<List<String>> nothing() {
        return Uni.createFrom().item(List.of());
    }

    private void submit(String executionId) {
        if (!inFlight.add(executionId)) {
            return;
        }
        try {
            workers.submit(() -> {
                try {
                    run(executionId);
                } catch (Stopping e) {
                    LOG.infof("execution %s stopped with the service; it resumes at the next start", executionId);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "execution %s stopped and resumes when the service restarts", executionId);
                } finally {
                    inFlight.remove(executionId);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(executionId);
        }
    }

    private void run(String executionId) {
        StepExecution execution = persistently(s -> s.find(StepExecution.class, executionId)
                .invoke(x -> x.attempts++)
                .call(s::flush));
        SagaEvent trigger = Json.read(execution.trigger, SagaEvent.class);
        SlipStep step = trigger.slip().step(execution.stepIndex);
        StepHandler handler = handlers.get(step.name());
        StepContext context = new StepContext(trigger, step, () -> isAborted(trigger.upgradeId()));
        if (execution.mode == Mode.ACTION) {
            runAction(executionId, handler, context);
        } else {
            runCompensation(executionId, handler, context);
        }
    }

    private void runAction(String executionId, StepHandler handler, StepContext context) {
        SlipStep step = context.step();
        StepResult result;
        try {
            if (handler == null) {
                throw new StepFailedException("this service has no handler for step " + step.name());
            }
            faults.delay(step.name(), context.deployment(), context.abortRequested());
            result = handler.execute(context);
            faults.check(step.name(), context.deployment(), FaultInjector.Target.ACTION);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopping();
        } catch (Exception e) {
            if (stopping) {
                throw new Stopping();
            }
            String reason = reason(e);
            LOG.warnf("step %d (%s) of upgrade %s failed: %s", step.index(), step.name(), context.upgradeId(), reason);
            undoPartialStep(handler, context);
            RoutingSlip slip = context.trigger().slip().withStatus(step.index(), StepStatus.FAILED);
            finish(
                    executionId,
                    State.FAILED,
                    reason,
                    context.trigger().next(Phase.STEP_FAILED, step.index(), reason, slip, Instant.now()));
            return;
        }
        if (result.waiting()) {
            persistently(s -> waitOrTurnAround(s, executionId, context));
            relay.wake();
            return;
        }
        complete(executionId, context.trigger(), step, result.facts());
    }

    /** A step now waits for an operator, unless the operator aborted meanwhile: then it fails at once. */
    private Uni<Void> waitOrTurnAround(Mutiny.Session s, String executionId, StepContext context) {
        return s.find(SagaRecord.class, context.upgradeId(), LockModeType.PESSIMISTIC_WRITE)
                .chain(saga -> {
                    if (saga != null && saga.aborted) {
                        SlipStep step = context.step();
                        RoutingSlip slip = context.trigger().slip().withStatus(step.index(), StepStatus.FAILED);
                        return finishIn(
                                        s,
                                        executionId,
                                        State.FAILED,
                                        ABORTED,
                                        context.trigger()
                                                .next(Phase.STEP_FAILED, step.index(), ABORTED, slip, Instant.now()))
                                .replaceWithVoid();
                    }
                    return s.find(StepExecution.class, executionId)
                            .invoke(x -> {
                                if (x.state == State.RUNNING) {
                                    x.state = State.WAITING;
                                }
                            })
                            .replaceWithVoid();
                });
    }

    private void undoPartialStep(StepHandler handler, StepContext context) {
        if (handler == null || !context.step().compensable()) {
            return;
        }
        try {
            handler.undo(context);
        } catch (Exception e) {
            LOG.errorf(
                    e,
                    "could not undo the partial step %s of upgrade %s",
                    context.step().name(),
                    context.upgradeId());
        }
    }

    private void complete(String executionId, SagaEvent trigger, SlipStep step, Map<String, String> facts) {
        persistently(s -> completeIn(s, executionId, trigger, step, facts));
        relay.wake();
    }

    private Uni<Boolean> completeIn(
            Mutiny.Session s, String executionId, SagaEvent trigger, SlipStep step, Map<String, String> facts) {
        RoutingSlip slip =
                trigger.slip().withStatus(step.index(), StepStatus.COMPLETED).withFacts(facts);
        return s.find(SagaRecord.class, trigger.upgradeId(), LockModeType.PESSIMISTIC_WRITE)
                .chain(saga -> {
                    // the operator aborted while the step ran: report it done but turn around, so it is undone too
                    boolean turnAround = saga != null && saga.aborted && !step.pivot();
                    SagaEvent outcome = turnAround
                            ? trigger.next(Phase.STEP_FAILED, step.index(), ABORTED, slip, Instant.now())
                            : trigger.next(Phase.STEP_COMPLETED, step.index(), null, slip, Instant.now());
                    return finishIn(s, executionId, State.DONE, Json.write(facts), outcome);
                });
    }

    private void runCompensation(String executionId, StepHandler handler, StepContext context) {
        SlipStep step = context.step();
        Exception last = null;
        for (int attempt = 1; attempt <= config.compensationAttempts(); attempt++) {
            try {
                if (handler == null) {
                    throw new StepFailedException("this service has no handler for step " + step.name());
                }
                faults.check(step.name(), context.deployment(), FaultInjector.Target.COMPENSATION);
                Map<String, String> facts = handler.undo(context);
                RoutingSlip slip = context.trigger()
                        .slip()
                        .withStatus(step.index(), StepStatus.COMPENSATED)
                        .withFacts(facts);
                finish(
                        executionId,
                        State.DONE,
                        null,
                        context.trigger().next(Phase.STEP_COMPENSATED, step.index(), null, slip, Instant.now()));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopping();
            } catch (Exception e) {
                if (stopping) {
                    throw new Stopping();
                }
                last = e;
                LOG.warnf(
                        "compensation of step %s of upgrade %s failed (attempt %d): %s",
                        step.name(), context.upgradeId(), attempt, reason(e));
                pause(config.compensationBackoff().toMillis() * attempt);
            }
        }
        String reason = "could not undo " + step.name() + ": " + reason(last) + "; the upgrade needs an operator";
        RoutingSlip slip = context.trigger().slip().withStatus(step.index(), StepStatus.COMPENSATION_FAILED);
        finish(
                executionId,
                State.FAILED,
                reason,
                context.trigger().next(Phase.COMPENSATION_FAILED, step.index(), reason, slip, Instant.now()));
    }

    private void finish(String executionId, State state, String outcome, SagaEvent event) {
        persistently(s -> finishIn(s, executionId, state, outcome, event));
        relay.wake();
    }

    /**
     * Ends an execution and writes its outcome event, once: an execution that already ended (approved and aborted at
     * the same moment, say) is left as it is and nothing is published. Returns whether it ended it.
     */
    private Uni<Boolean> finishIn(Mutiny.Session s, String executionId, State state, String outcome, SagaEvent event) {
        return s.find(StepExecution.class, executionId, LockModeType.PESSIMISTIC_WRITE)
                .chain(x -> {
                    if (x == null || (x.state != State.RUNNING && x.state != State.WAITING)) {
                        return Uni.createFrom().item(false);
                    }
                    x.state = state;
                    x.outcome = outcome;
                    x.finishedAt = Instant.now();
                    return outbox.add(s, event).replaceWith(true);
                });
    }

    /**
     * Runs a bookkeeping transaction until the database takes it: a brief outage must not leave a step that ran with
     * no recorded outcome until the next restart.
     */
    private <T> T persistently(Function<Mutiny.Session, Uni<T>> work) {
        long backoff = 100;
        while (true) {
            try {
                return tx.run(work);
            } catch (RuntimeException e) {
                if (stopping) {
                    throw new Stopping();
                }
                LOG.warnf("could not record a step outcome, retrying in %d ms: %s", backoff, e.getMessage());
                pause(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /**
     * Completes a step that was waiting for something outside the service (the approval gate), inside the caller's
     * transaction. Returns false when the step is not waiting.
     */
    public Uni<Boolean> completeWaiting(Mutiny.Session s, String upgradeId, int index) {
        String id = StepExecution.key(upgradeId, index, Mode.ACTION);
        return s.find(StepExecution.class, id, LockModeType.PESSIMISTIC_WRITE).chain(execution -> {
            if (execution == null || execution.state != State.WAITING) {
                return Uni.createFrom().item(false);
            }
            SagaEvent trigger = Json.read(execution.trigger, SagaEvent.class);
            RoutingSlip slip = trigger.slip().withStatus(index, StepStatus.COMPLETED);
            SagaEvent outcome = trigger.next(Phase.STEP_COMPLETED, index, null, slip, Instant.now());
            return finishIn(s, id, State.DONE, "{}", outcome);
        });
    }

    /** Fails a waiting step of this upgrade, if one is waiting, inside the caller's transaction. */
    public Uni<Boolean> failWaiting(Mutiny.Session s, String upgradeId, String reason) {
        return s.createQuery("from StepExecution where upgradeId = :u and state = :state", StepExecution.class)
                .setParameter("u", upgradeId)
                .setParameter("state", State.WAITING)
                .getResultList()
                .chain(waiting -> {
                    if (waiting.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    StepExecution execution = waiting.get(0);
                    SagaEvent trigger = Json.read(execution.trigger, SagaEvent.class);
                    RoutingSlip slip = trigger.slip().withStatus(execution.stepIndex, StepStatus.FAILED);
                    SagaEvent outcome =
                            trigger.next(Phase.STEP_FAILED, execution.stepIndex, reason, slip, Instant.now());
                    return finishIn(s, execution.id, State.FAILED, reason, outcome);
                });
    }

    /** This service's executions of one upgrade, oldest first. */
    public List<StepExecution> executions(String upgradeId) {
        return new ArrayList<>(tx.run(
                s -> s.createQuery("from StepExecution where upgradeId = :u order by startedAt", StepExecution.class)
                        .setParameter("u", upgradeId)
                        .getResultList()));
    }

    private static String reason(Exception e) {
        if (e == null) {
            return "unknown error";
        }
        return e.getMessage() != null ? e.getMessage() : "unexpected error (see the service log)";
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopping();
        }
    }

    /** The service is stopping: the execution stays RUNNING and resumes at the next start. */
    private static final class Stopping extends RuntimeException {
        Stopping() {
            super("the service is stopping", null, false, false);
        }
    }
}
