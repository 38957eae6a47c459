package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.saga.SagaRules.Decision;
import io.baton.saga.SagaRules.Local;
import io.baton.saga.SagaRules.Run;
import io.baton.saga.StepExecution.State;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Applies {@link SagaRules} to the events of one poll, in one transaction: the inbox records them, the listeners (the
 * planner's read model) see each new one, this service's record of the upgrades they concern is read once under lock,
 * and every decision is written with the event that announces it. The steps decided are run after the commit.
 */
@ApplicationScoped
public class Choreography {

    private static final Logger LOG = Logger.getLogger(Choreography.class);

    private final Owner owner;
    private final Tx tx;
    private final Inbox inbox;
    private final Plans plans;
    private final Outbox outbox;
    private final Instance<SagaListener> listeners;
    /** Whether a listener (the planner's read model) reads every event: known at start, asked on every poll. */
    private final boolean listening;

    private final AbortSignals aborts;
    private final Executions executions;
    private final StepRunner runner;
    private final DeadLetters deadLetters;

    public Choreography(
            SagaConfig config,
            Tx tx,
            Inbox inbox,
            Plans plans,
            Outbox outbox,
            Instance<SagaListener> listeners,
            AbortSignals aborts,
            Executions executions,
            StepRunner runner,
            DeadLetters deadLetters) {
        this.owner = config.owner();
        this.tx = tx;
        this.inbox = inbox;
        this.plans = plans;
        this.outbox = outbox;
        this.listeners = listeners;
        this.listening = listeners.iterator().hasNext();
        this.aborts = aborts;
        this.executions = executions;
        this.runner = runner;
        this.deadLetters = deadLetters;
    }

    /** What a batch decided, once committed. */
    private record Decided(List<StepExecution> started, Set<String> aborted) {}

    /** This service's record of one upgrade, as the batch changes it. */
    private static final class Known {
        SagaRecord saga;
        final Set<Run> runs = new HashSet<>();
        final Map<Integer, StepExecution> waiting = new HashMap<>();

        Local local() {
            Integer gate =
                    waiting.isEmpty() ? null : waiting.keySet().iterator().next();
            return new Local(false, saga != null && saga.aborted, runs, gate);
        }
    }

    /**
     * Whether an event whose publisher says it concerns {@code concerns} (owner codes, comma-separated; null when it
     * says nothing) may ask anything of this service: a service with listeners reads every event.
     */
    public boolean mayConcern(String concerns) {
        return concerns == null || listening || List.of(concerns.split(",")).contains(owner.code());
    }

    /**
     * Handles events in one transaction, at most once each whatever the number of deliveries; runs what they start.
     * Events that concern neither this service's steps nor a listener change nothing here, so they cost nothing: no
     * transaction, no inbox record (a redelivery of one changes nothing either).
     */
    public void handle(List<Received> all) {
        List<Received> events = all.stream()
                .filter(e -> listening || SagaRules.readers(e.event()).contains(owner))
                .toList();
        if (events.isEmpty()) {
            return;
        }
        List<Received> refused = new ArrayList<>();
        Decided decided = tx.run(s -> inbox.record(s, events).chain(fresh -> {
            refused.clear(); // a transaction tried again starts afresh
            List<Received> news =
                    events.stream().filter(e -> fresh.contains(e.eventId())).toList();
            return plans.admit(s, news, refused)
                    .chain(admitted -> notifyListeners(s, admitted).chain(() -> decide(s, admitted)));
        }));
        aborts.learnt(decided.aborted());
        decided.started().forEach(runner::submit);
        deadLetters.sendParked(refused, ANOTHER_PLAN);
    }

    static final String ANOTHER_PLAN =
            "it came before its upgrade's request and carries another plan than the request's; not acted on";

    /**
     * Acts on the parked events of upgrades whose request has been recorded since (by another poll than the one that
     * parked them), in one transaction; returns those whose plan differs from the recorded one, taken out of parking,
     * for the dead-letter topic.
     */
    List<Received> resume(List<String> upgradeIds) {
        List<Received> refused = new ArrayList<>();
        Decided decided = tx.run(s -> plans.unpark(s, upgradeIds)
                .invoke(parked -> refused.clear())
                .chain(parked -> plans.recorded(s, upgradeIds).map(known -> Plans.matching(parked, known, refused)))
                .chain(admitted -> notifyListeners(s, admitted).chain(() -> decide(s, admitted))));
        aborts.learnt(decided.aborted());
        decided.started().forEach(runner::submit);
        return refused;
    }

    private Uni<Void> notifyListeners(Mutiny.Session s, List<Received> events) {
        List<SagaListener> all = listeners.stream().toList();
        if (all.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return events.isEmpty() ? Uni.createFrom().voidItem() : each(all, l -> l.onEvents(s, events));
    }

    private Uni<Decided> decide(Mutiny.Session s, List<Received> events) {
        Set<String> concerned = new LinkedHashSet<>();
        for (Received e : events) {
            if (SagaRules.concerns(e.event(), owner)) {
                concerned.add(e.event().upgradeId());
            }
        }
        Decided decided = new Decided(new ArrayList<>(), new HashSet<>());
        return load(s, concerned)
                .chain(known -> each(events, e -> apply(s, e, known, decided)))
                .replaceWith(decided);
    }

    /** This service's sagas (locked) and runs for the upgrades the events concern, in two queries. */
    private Uni<Map<String, Known>> load(Mutiny.Session s, Set<String> upgradeIds) {
        Map<String, Known> known = new HashMap<>();
        if (upgradeIds.isEmpty()) {
            return Uni.createFrom().item(known);
        }
        upgradeIds.forEach(id -> known.put(id, new Known()));
        List<String> ids = upgradeIds.stream().sorted().toList();
        return s.createSelectionQuery("from SagaRecord where upgradeId in :ids order by upgradeId", SagaRecord.class)
                .setParameter("ids", ids)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList()
                .invoke(sagas -> sagas.forEach(saga -> known.get(saga.upgradeId).saga = saga))
                .chain(() -> s.createSelectionQuery("from StepExecution where upgradeId in :ids", StepExecution.class)
                        .setParameter("ids", ids)
                        .getResultList())
                .invoke(runs -> runs.forEach(x -> remember(known.get(x.upgradeId), x)))
                .replaceWith(known);
    }

    private static void remember(Known known, StepExecution x) {
        known.runs.add(new Run(x.stepIndex, x.mode));
        if (x.state == State.WAITING) {
            known.waiting.put(x.stepIndex, x);
        }
    }

    private Uni<Void> apply(Mutiny.Session s, Received incoming, Map<String, Known> all, Decided decided) {
        SagaEvent event = incoming.event();
        Known known = all.get(event.upgradeId());
        Uni<Void> recorded = Uni.createFrom().voidItem();
        if (event.phase() == Phase.ABORT_REQUESTED) {
            decided.aborted().add(event.upgradeId());
            recorded = aborts.markAborted(s, event.upgradeId(), event.deployment())
                    .invoke(saga -> known.saga = saga)
                    .replaceWithVoid();
        }
        return recorded.chain(() -> {
            Decision decision = SagaRules.decide(event, owner, known == null ? Local.none() : known.local());
            LOG.debugf("%s %s of %s: %s", incoming.type(), event.step(), event.upgradeId(), decision);
            Instant now = Instant.now();
            if (decision instanceof Decision.Start start) {
                return begin(s, incoming, start.step().index(), Mode.ACTION, decision, known, decided, now);
            }
            if (decision instanceof Decision.Undo undo) {
                return begin(s, incoming, undo.step().index(), Mode.COMPENSATION, decision, known, decided, now);
            }
            if (decision instanceof Decision.Fail fail
                    && known.waiting.containsKey(fail.step().index())) {
                StepExecution waiting = known.waiting.remove(fail.step().index());
                SagaRules.Outcome failed = new SagaRules.Outcome.Failed(fail.step(), fail.reason());
                return executions
                        .finish(s, waiting.id, Json.read(waiting.trigger, SagaEvent.class), failed)
                        .replaceWithVoid();
            }
            return decision.announce(event, now)
                    .map(announced -> outbox.add(s, announced))
                    .orElse(Uni.createFrom().voidItem());
        });
    }

    private Uni<Void> begin(
            Mutiny.Session s,
            Received incoming,
            int step,
            Mode mode,
            Decision decision,
            Known known,
            Decided decided,
            Instant now) {
        StepExecution execution = Executions.create(incoming.event(), step, mode, now);
        runner.own(execution, now);
        known.runs.add(new Run(step, mode));
        decided.started().add(execution);
        return s.persist(execution)
                .chain(() ->
                        outbox.add(s, decision.announce(incoming.event(), now).orElseThrow()));
    }

    /** Runs {@code step} on each item in turn, in the session's order, without nesting one call in the next. */
    static <T> Uni<Void> each(List<T> items, Function<T, Uni<?>> step) {
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom()
                .iterable(items)
                .onItem()
                .transformToUniAndConcatenate(item -> step.apply(item).replaceWith(Boolean.TRUE))
                .collect()
                .last()
                .replaceWithVoid();
    }
}
