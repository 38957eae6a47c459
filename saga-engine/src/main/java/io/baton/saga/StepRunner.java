package io.baton.saga;

import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.StepFacts;
import io.baton.saga.SagaRules.Outcome;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs this service's steps and compensations on a bounded pool of worker threads, outside any transaction, and
 * records each outcome with its event in one transaction. A run is claimed in this process while it runs, so that it
 * never runs on two threads at once; runs left RUNNING by a stop are resumed at the next start.
 */
@ApplicationScoped
public class StepRunner {

    private static final Logger LOG = Logger.getLogger(StepRunner.class);

    private final SagaConfig config;
    private final Tx tx;
    private final Executions executions;
    private final AbortSignals aborts;
    private final FaultInjector faults;
    private final SagaMetrics metrics;
    private final Traces traces;
    private final Map<StepName, StepHandler> handlers = new EnumMap<>(StepName.class);
    private final Set<String> claims = ConcurrentHashMap.newKeySet();
    /** The token under which this replica runs each of its runs: its outcome is written only if it is current. */
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();

    private final ThreadPoolExecutor workers;
    private volatile boolean stopping;

    public StepRunner(
            SagaConfig config,
            Tx tx,
            Executions executions,
            AbortSignals aborts,
            FaultInjector faults,
            SagaMetrics metrics,
            Traces traces,
            Instance<StepHandler> stepHandlers) {
        this.config = config;
        this.metrics = metrics;
        this.traces = traces;
        this.tx = tx;
        this.executions = executions;
        this.aborts = aborts;
        this.faults = faults;
        for (StepHandler handler : stepHandlers) {
            if (handler.step().owner() != config.owner()) {
                throw new IllegalStateException(handler.step() + " is owned by "
                        + handler.step().owner() + ", not by this service (" + config.owner() + ")");
            }
            handlers.put(handler.step(), handler);
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                config.workers(), config.workers(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "saga-step-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.workers.allowCoreThreadTimeOut(true);
    }

    public boolean handles(StepName step) {
        return handlers.containsKey(step);
    }

    /** The runs found RUNNING at start, claimed until messaging is up (see {@link #resumeRecovered}). */
    private List<StepExecution> recovered = List.of();

    /** This replica, as the owner of the runs it holds: {@code <service>-<baton.saga.instance-id>}. */
    public String me() {
        return config.owner().code() + "-" + config.instanceId();
    }

    /** Makes a new run this replica's, with its first token. */
    void own(StepExecution execution, Instant now) {
        execution.owner = me();
        execution.leaseUntil = now.plus(config.lease());
        execution.token = 1;
        tokens.put(execution.id, execution.token);
    }

    /**
     * Takes the RUNNING runs whose lease has passed (a replica that died, or this one's run whose outcome could not
     * be recorded) and, at start, this replica's own from before: each gets this owner, a new lease and the next
     * token, in one transaction whose row locks keep two replicas from taking the same run.
     */
    private List<StepExecution> claim(boolean mine) {
        Instant now = Instant.now();
        List<StepExecution> taken = tx.run(s -> s.createSelectionQuery(
                        "from StepExecution where state = :state and (owner is null or leaseUntil is null"
                                + " or leaseUntil < :now or owner = :me) order by startedAt",
                        StepExecution.class)
                .setParameter("state", StepExecution.State.RUNNING)
                .setParameter("now", now)
                .setParameter("me", mine ? me() : "")
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList()
                .map(runs -> {
                    List<StepExecution> free = new java.util.ArrayList<>();
                    for (StepExecution x : runs) {
                        if (claims.contains(x.id)) {
                            continue;
                        }
                        if (x.owner != null && !x.owner.equals(me())) {
                            LOG.warnf("taking over %s from %s, whose lease ended at %s", x.id, x.owner, x.leaseUntil);
                        }
                        x.owner = me();
                        x.leaseUntil = now.plus(config.lease());
                        x.token++;
                        free.add(x);
                    }
                    return free;
                }));
        taken.forEach(x -> tokens.put(x.id, x.token));
        return taken;
    }

    /**
     * Finds what this service was doing when it stopped: runs still RUNNING that are its own or whose lease has
     * passed, claimed here so that nothing else submits them. Observed before the Kafka consumers start (reactive
     * messaging starts at priority 1000).
     */
    void recover(@Observes @Priority(500) StartupEvent event) {
        aborts.load();
        recovered = claim(true);
        recovered.forEach(x -> claims.add(x.id));
    }

    /**
     * Renews the lease of every run this replica is running, a third of a lease apart, and learns which of their
     * upgrades were aborted meanwhile.
     */
    @Scheduled(every = "${baton.saga.heartbeat}", delayed = "${baton.saga.heartbeat}")
    void heartbeat() {
        List<String> running = List.copyOf(claims);
        if (running.isEmpty()) {
            return;
        }
        Instant until = Instant.now().plus(config.lease());
        // one transaction: the renewal, and (an abort reaches one replica of each service over Kafka; the others learn
        // it here, within a heartbeat, for the long waits of the runs they hold) the aborted upgrades among them
        aborts.learnt(tx.run(s -> s.createMutationQuery("update StepExecution set leaseUntil = :until"
                        + " where owner = :me and state = :state and id in :ids")
                .setParameter("until", until)
                .setParameter("me", me())
                .setParameter("state", StepExecution.State.RUNNING)
                .setParameter("ids", running)
                .executeUpdate()
                .chain(() -> s.createSelectionQuery(
                                "select r.upgradeId from SagaRecord r where r.aborted = true and r.upgradeId in"
                                        + " (select x.upgradeId from StepExecution x where x.id in :ids)",
                                String.class)
                        .setParameter("ids", running)
                        .getResultList())));
    }

    /**
     * Runs again (idempotently) what {@link #recover} found, once messaging is up: a run that ends at once (a
     * switchover finished from its recorded phase, say) writes its event through the outbox, whose relay needs its
     * Kafka channel.
     */
    void resumeRecovered(
            @Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_AFTER + 100) StartupEvent event) {
        List<StepExecution> found = recovered;
        recovered = List.of();
        found.forEach(x -> claims.remove(x.id));
        resume(found);
    }

    /**
     * Takes over and runs again what was left RUNNING with nobody on it: runs of a replica that died (their lease
     * passed) and this replica's own whose outcome the database would not take within {@code
     * baton.saga.record-timeout} (no heartbeat renews a run no thread runs). Public for tests, which sweep without
     * waiting for the schedule.
     */
    @Scheduled(every = "${baton.saga.sweep-interval}", delayed = "${baton.saga.sweep-interval}")
    public void sweep() {
        resume(claim(false));
    }

    private void resume(List<StepExecution> running) {
        if (running.isEmpty()) {
            return;
        }
        List<String> ids = running.stream().map(x -> x.id).toList();
        tx.run(s -> s.createMutationQuery("update StepExecution set attempts = attempts + 1 where id in :ids")
                .setParameter("ids", ids)
                .executeUpdate());
        for (StepExecution x : running) {
            int attempts = x.attempts + 1;
            if (attempts > config.maxAttempts()) {
                giveUp(x, attempts);
            } else {
                LOG.infof(
                        "resuming %s of step %d (%s) of upgrade %s (attempt %d)",
                        x.mode, x.stepIndex, x.stepName, x.upgradeId, attempts);
                submit(x);
            }
        }
    }

    /**
     * A run started {@code baton.saga.max-attempts} times that never ended (the service stopped in it each time, or
     * could not record its outcome): it is not run again. An action is undone, as a failed one is, and reported
     * failed, so the saga rolls back; an undo, or an action whose undo fails or was itself cut short twice, ends
     * COMPENSATION_FAILED for an operator. Never an endless loop of restarts.
     */
    private void giveUp(StepExecution x, int attempts) {
        LOG.errorf(
                "%s of step %d (%s) of upgrade %s was started %d times without ending; it is not run again",
                x.mode, x.stepIndex, x.stepName, x.upgradeId, attempts);
        onWorker(x.id, x.stepName, () -> {
            SagaEvent trigger = Json.read(x.trigger, SagaEvent.class);
            SlipStep step = trigger.slip().step(x.stepIndex);
            StepContext context = new StepContext(trigger, step, () -> aborts.isAborted(trigger.upgradeId()));
            String why = step.name() + " was started " + attempts + " times without ending (the service"
                    + " stopped in it, or could not record it, each time)";
            Outcome outcome;
            if (x.mode == Mode.ACTION && attempts <= config.maxAttempts() + 2) {
                String undoFailure = undoPartialStep(handlers.get(step.name()), context);
                outcome = undoFailure == null
                        ? new Outcome.Failed(step, why + "; what it had done is undone")
                        : new Outcome.CompensationFailed(
                                step,
                                why + "; undoing it failed too (" + undoFailure + "); the upgrade needs an operator");
            } else {
                outcome = new Outcome.CompensationFailed(step, why + "; the upgrade needs an operator");
            }
            record(x.id, context, s -> Uni.createFrom().item(outcome));
        });
    }

    /**
     * Runs {@code work} for the run {@code id} on a worker, unless it runs in this process already; a run stopped by
     * the service's stop or by an error stays as the database has it, for the next start or sweep.
     */
    private void onWorker(String id, String stepName, Runnable work) {
        if (!claims.add(id)) {
            return;
        }
        try {
            workers.execute(() -> logged(id, stepName, () -> {
                try {
                    work.run();
                } catch (Stopping e) {
                    LOG.infof("%s stopped with the service; it resumes at the next start", id);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "%s stopped; it resumes at the next sweep or start", id);
                } finally {
                    tokens.remove(id);
                    claims.remove(id);
                }
            }));
        } catch (RejectedExecutionException stoppingAlready) {
            claims.remove(id);
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        stopping = true;
        workers.shutdownNow();
    }

    /** Runs an execution on a worker unless it runs in this process already. */
    void submit(StepExecution execution) {
        onWorker(execution.id, execution.stepName, () -> run(execution));
    }

    /**
     * Runs {@code work} for the run {@code id} ({@code <upgrade>/<step index>/<mode>}, {@link StepExecution#key}) of
     * step {@code stepName} with the upgrade, step and mode in the logging context: every line logged meanwhile on this thread (the engine's,
     * the step handler's, its driver's, and how the run ended) carries them, as {@code mdc} in the JSON logs.
     */
    static void logged(String id, String stepName, Runnable work) {
        String[] parts = id.split("/");
        if (parts.length == 3) {
            MDC.put("upgradeId", parts[0]);
            MDC.put("step", stepName);
            MDC.put("mode", parts[2]);
        }
        try {
            work.run();
        } finally {
            MDC.remove("upgradeId");
            MDC.remove("step");
            MDC.remove("mode");
        }
    }

    private void run(StepExecution execution) {
        SagaEvent trigger = Json.read(execution.trigger, SagaEvent.class);
        SlipStep step = trigger.slip().step(execution.stepIndex);
        StepHandler handler = handlers.get(step.name());
        StepContext context = new StepContext(trigger, step, () -> aborts.isAborted(trigger.upgradeId()));
        if (execution.mode == Mode.ACTION) {
            act(execution.id, handler, context);
        } else {
            undo(execution.id, handler, context);
        }
    }

    private void act(String id, StepHandler handler, StepContext context) {
        SlipStep step = context.step();
        StepResult result;
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        try {
            if (handler == null) {
                throw new StepFailedException("this service has no handler for step " + step.name());
            }
            faults.delay(step.name(), context.deployment(), FaultInjector.Target.ACTION, context.abortRequested());
            result = handler.execute(context);
            if (!result.waiting() && result.facts().getClass() != step.name().facts()) {
                throw new IllegalStateException(
                        step.name() + " left " + result.facts().getClass().getSimpleName() + " in the slip instead of "
                                + step.name().facts().getSimpleName());
            }
            faults.check(step.name(), context.deployment(), FaultInjector.Target.ACTION);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopping();
        } catch (Exception e) {
            if (stopping) {
                throw new Stopping();
            }
            String reason = reason(e);
            metrics.run(step.name(), Mode.ACTION, "failed", Duration.ofNanos(System.nanoTime() - started));
            trace(context, Mode.ACTION, startedAt, "failed", reason);
            LOG.warnf("step %d (%s) of upgrade %s failed: %s", step.index(), step.name(), context.upgradeId(), reason);
            String undoFailure = undoPartialStep(handler, context);
            // a half-done step that cannot be undone must not be reported as cleanly failed: the rollback would
            // report ROLLED_BACK over what it left
            Outcome outcome = undoFailure == null
                    ? new Outcome.Failed(step, reason)
                    : new Outcome.CompensationFailed(
                            step,
                            reason + "; undoing what it had done failed too (" + undoFailure
                                    + "); the upgrade needs an operator");
            record(id, context, s -> Uni.createFrom().item(outcome));
            return;
        }
        StepResult done = result;
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.infof(
                "step %d (%s) of upgrade %s %s in %d ms",
                step.index(),
                step.name(),
                context.upgradeId(),
                result.waiting() ? "waits" : "completed",
                took.toMillis());
        metrics.run(step.name(), Mode.ACTION, result.waiting() ? "waiting" : "completed", took);
        trace(context, Mode.ACTION, startedAt, result.waiting() ? "waiting" : "completed", null);
        if (!result.waiting()) {
            metrics.facts(result.facts());
        }
        record(id, context, s -> aborts.lockAndRead(s, context.upgradeId())
                .map(aborted -> SagaRules.afterAction(step, done, aborted)));
    }

    /**
     * The broker refused for good the event that reported one of this service's runs (facts too large for it, say),
     * so the saga cannot go on from it. A done action is undone, as a failed one is, and reported failed with the
     * broker's reason, in an event made from the slip the run started with (which the broker took); a done undo is
     * reported as a compensation that failed, for an operator. Acts once: a run already taken back is left.
     */
    public void retract(SagaEvent refused, String brokerReason) {
        Mode mode = refused.phase() == Phase.STEP_COMPENSATED ? Mode.COMPENSATION : Mode.ACTION;
        if (refused.phase() != Phase.STEP_COMPLETED
                && refused.phase() != Phase.STEP_COMPENSATED
                && refused.phase() != Phase.STEP_FAILED) {
            return;
        }
        String id = StepExecution.key(refused.upgradeId(), refused.step(), mode);
        String step =
                refused.step() >= 0 ? refused.slip().step(refused.step()).name().name() : "";
        onWorker(id, step, () -> retract(id, mode, brokerReason));
    }

    private void retract(String id, Mode mode, String brokerReason) {
        StepExecution x = tx.run(s -> s.find(StepExecution.class, id));
        if (x == null || x.state != StepExecution.State.DONE) {
            return;
        }
        SagaEvent trigger = Json.read(x.trigger, SagaEvent.class);
        SlipStep step = trigger.slip().step(x.stepIndex);
        StepHandler handler = handlers.get(step.name());
        StepContext context = new StepContext(trigger, step, () -> aborts.isAborted(trigger.upgradeId()));
        Outcome outcome;
        if (mode == Mode.ACTION) {
            LOG.errorf("step %s of upgrade %s is undone: %s", step.name(), trigger.upgradeId(), brokerReason);
            String undoFailure = undoPartialStep(handler, context);
            outcome = undoFailure != null
                    ? new Outcome.CompensationFailed(
                            step,
                            step.name() + " was done, but its report could not be sent (" + brokerReason + "), and"
                                    + " undoing it failed (" + undoFailure + "); the upgrade needs an operator")
                    : new Outcome.Failed(
                            step,
                            step.name() + " was done, but its report could not be sent (" + brokerReason
                                    + "); it was undone"
                                    + " and the upgrade rolls back. Send smaller inputs, or raise the topics' size limit.");
        } else {
            outcome = new Outcome.CompensationFailed(
                    step,
                    step.name() + " was undone, but its report could not be sent (" + brokerReason + "); the"
                            + " rollback stops here for an operator.");
        }
        record(id, context, s -> Uni.createFrom().item(outcome), executions::retract);
    }

    /**
     * Undoes what a step that failed had done, tried as often as a compensation is; returns why it could not, or null
     * once it is undone (or has no undo).
     */
    private String undoPartialStep(StepHandler handler, StepContext context) {
        if (handler == null || !context.step().compensable()) {
            return null;
        }
        Undone undone = tryUndo(handler, context, false);
        return undone.failure() == null ? null : reason(undone.failure());
    }

    private void undo(String id, StepHandler handler, StepContext context) {
        SlipStep step = context.step();
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        Undone undone = tryUndo(handler, context, true);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        if (undone.failure() == null) {
            LOG.infof(
                    "step %d (%s) of upgrade %s undone in %d ms",
                    step.index(), step.name(), context.upgradeId(), took.toMillis());
        }
        metrics.run(step.name(), Mode.COMPENSATION, undone.failure() == null ? "compensated" : "failed", took);
        trace(
                context,
                Mode.COMPENSATION,
                startedAt,
                undone.failure() == null ? "compensated" : "failed",
                undone.failure() == null ? null : reason(undone.failure()));
        if (undone.failure() == null) {
            record(id, context, s -> Uni.createFrom().item(new Outcome.Compensated(step, undone.found())));
            return;
        }
        String reason =
                "could not undo " + step.name() + ": " + reason(undone.failure()) + "; the upgrade needs an operator";
        record(id, context, s -> Uni.createFrom().item(new Outcome.CompensationFailed(step, reason)));
    }

    /** The run as a span of the upgrade's trace, a child of its root span. */
    private void trace(StepContext context, Mode mode, Instant startedAt, String outcome, String error) {
        SlipStep step = context.step();
        traces.record(new Traces.Span(
                context.upgradeId(),
                Traces.newSpanId(),
                Traces.rootSpanId(context.upgradeId()),
                (mode == Mode.ACTION ? "" : "undo ") + step.name(),
                Traces.Kind.INTERNAL,
                startedAt,
                Instant.now(),
                Traces.attributes(
                        "baton.deployment", context.deployment(),
                        "baton.step", step.name().name(),
                        "baton.step.index", Integer.toString(step.index()),
                        "baton.step.mode", mode.name(),
                        "baton.step.outcome", outcome),
                error));
    }

    /** What an undo found, or why its last attempt failed. */
    private record Undone(StepFacts found, Exception failure) {}

    /**
     * A step's undo, tried {@code baton.saga.compensation-attempts} times with a growing pause between attempts; a
     * compensation ({@code injectFaults}) also meets the fault rules aimed at it.
     */
    private Undone tryUndo(StepHandler handler, StepContext context, boolean injectFaults) {
        SlipStep step = context.step();
        Exception last = null;
        for (int attempt = 1; attempt <= config.compensationAttempts(); attempt++) {
            try {
                if (handler == null) {
                    throw new StepFailedException("this service has no handler for step " + step.name());
                }
                if (injectFaults && attempt == 1) {
                    faults.delay(step.name(), context.deployment(), FaultInjector.Target.COMPENSATION, () -> false);
                }
                if (injectFaults) {
                    faults.check(step.name(), context.deployment(), FaultInjector.Target.COMPENSATION);
                }
                return new Undone(handler.undo(context), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopping();
            } catch (Exception e) {
                if (stopping) {
                    throw new Stopping();
                }
                last = e;
                LOG.warnf(
                        "undoing step %s of upgrade %s failed (attempt %d): %s",
                        step.name(), context.upgradeId(), attempt, reason(e));
                if (attempt < config.compensationAttempts()) {
                    pause(
                            "attempt " + (attempt + 1) + " to undo " + step.name(),
                            config.compensationBackoff().multipliedBy(attempt));
                }
            }
        }
        return new Undone(null, last);
    }

    /**
     * Records the outcome of a run with its event, retrying while the database does not take it, at most
     * {@code baton.saga.record-timeout}; past that the run stays RUNNING and the sweep runs it again.
     */
    private void record(String id, StepContext context, Function<Mutiny.Session, Uni<Outcome>> outcome) {
        record(id, context, outcome, executions::finish);
    }

    /** How an outcome is written: {@link Executions#finish} or {@link Executions#retract}. */
    private interface Ending {
        Uni<Boolean> write(Mutiny.Session s, String id, SagaEvent trigger, Outcome outcome);
    }

    private void record(
            String id, StepContext context, Function<Mutiny.Session, Uni<Outcome>> outcome, Ending unfenced) {
        Long token = tokens.get(id);
        // fenced: a replica whose run another took over (its lease passed) writes nothing
        Ending ending = (s, runId, trigger, o) -> s.find(StepExecution.class, runId, LockModeType.PESSIMISTIC_WRITE)
                .chain(x -> {
                    if (x != null && token != null && x.owner != null && (!x.owner.equals(me()) || x.token != token)) {
                        LOG.warnf(
                                "the outcome of %s is not written: %s holds it now (token %d, this run's %d)",
                                runId, x.owner, x.token, token);
                        return Uni.createFrom().item(false);
                    }
                    return unfenced.write(s, runId, trigger, o);
                });
        try {
            Wait.forThe("the database to record the outcome of " + id, config.recordTimeout())
                    .backingOff(Duration.ofMillis(100), Duration.ofSeconds(5))
                    .stopIf(() -> stopping, "the service is stopping")
                    .untilValue(() -> {
                        try {
                            return tx.run(s -> outcome.apply(s).chain(o -> ending.write(s, id, context.trigger(), o)));
                        } catch (RuntimeException e) {
                            if (!Failures.isTransient(e)) {
                                throw e;
                            }
                            LOG.warnf("the outcome of %s is not recorded yet, trying again: %s", id, e.getMessage());
                            return null;
                        }
                    });
        } catch (Wait.Stopped | InterruptedException e) {
            throw new Stopping();
        } catch (Wait.TimedOut e) {
            LOG.errorf("%s; it stays RUNNING and runs again at the next sweep", e.getMessage());
            return;
        }
    }

    private void pause(String what, Duration length) {
        try {
            Wait.forThe(what, length)
                    .every(Duration.ofMillis(50))
                    .stopIf(() -> stopping, "the service is stopping")
                    .elapse();
        } catch (Wait.Stopped | InterruptedException e) {
            throw new Stopping();
        }
    }

    static String reason(Exception e) {
        if (e == null) {
            return "unknown error";
        }
        return e.getMessage() != null ? e.getMessage() : "unexpected error (see the service log)";
    }

    /** The service is stopping: the execution stays RUNNING and resumes at the next start. */
    private static final class Stopping extends RuntimeException {
        Stopping() {
            super("the service is stopping", null, false, false);
        }
    }
}
