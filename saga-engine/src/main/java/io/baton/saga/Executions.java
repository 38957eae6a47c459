package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.facts.Facts;
import io.baton.saga.SagaRules.Outcome;
import io.baton.saga.StepExecution.State;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/** This service's runs of steps: created when decided, ended once with their outcome event. */
@ApplicationScoped
public class Executions {

    private final Outbox outbox;
    private final Tx tx;

    public Executions(Outbox outbox, Tx tx) {
        this.outbox = outbox;
        this.tx = tx;
    }

    static StepExecution create(SagaEvent trigger, int step, Mode mode, Instant now) {
        StepExecution execution = new StepExecution();
        execution.id = StepExecution.key(trigger.upgradeId(), step, mode);
        execution.upgradeId = trigger.upgradeId();
        execution.stepIndex = step;
        execution.stepName = trigger.slip().step(step).name().name();
        execution.mode = mode;
        execution.state = State.RUNNING;
        execution.attempts = 1;
        execution.trigger = Json.write(trigger);
        execution.startedAt = now;
        return execution;
    }

    /**
     * Records how a run ended and writes its event, once: a run that ended already (approved and aborted at the same
     * moment, say) is left as it is and nothing is published. A step that now waits is marked so. Returns whether the
     * outcome was recorded.
     */
    public Uni<Boolean> finish(Mutiny.Session s, String executionId, SagaEvent trigger, Outcome outcome) {
        return finish(s, executionId, trigger, outcome, null);
    }

    /** The same, for an outcome a person decided: its event names {@code actor}. */
    public Uni<Boolean> finish(Mutiny.Session s, String executionId, SagaEvent trigger, Outcome outcome, String actor) {
        return s.find(StepExecution.class, executionId, LockModeType.PESSIMISTIC_WRITE)
                .chain(x -> {
                    if (x == null || !x.open()) {
                        return Uni.createFrom().item(false);
                    }
                    if (!outcome.ends()) {
                        x.state = State.WAITING;
                        return Uni.createFrom().item(true);
                    }
                    x.state = failed(outcome) ? State.FAILED : State.DONE;
                    x.outcome = describe(outcome);
                    x.finishedAt = Instant.now();
                    return outcome.announce(trigger, x.finishedAt)
                            .map(event -> outbox.add(s, actor == null ? event : event.by(actor)))
                            .orElse(Uni.createFrom().voidItem())
                            .replaceWith(true);
                });
    }

    /**
     * Takes back the outcome of a run that ended DONE but whose event the broker refused, replacing it with {@code
     * outcome} (a failure) and its event. Returns whether it did: a run already taken back, or never done, is left.
     */
    public Uni<Boolean> retract(Mutiny.Session s, String executionId, SagaEvent trigger, Outcome outcome) {
        return s.find(StepExecution.class, executionId, LockModeType.PESSIMISTIC_WRITE)
                .chain(x -> {
                    if (x == null || x.state != State.DONE || !failed(outcome)) {
                        return Uni.createFrom().item(false);
                    }
                    x.state = State.FAILED;
                    x.outcome = describe(outcome);
                    x.finishedAt = Instant.now();
                    return outcome.announce(trigger, x.finishedAt)
                            .map(event -> outbox.add(s, event))
                            .orElse(Uni.createFrom().voidItem())
                            .replaceWith(true);
                });
    }

    private static boolean failed(Outcome outcome) {
        return outcome instanceof Outcome.Failed || outcome instanceof Outcome.CompensationFailed;
    }

    /** What the execution keeps of its outcome: the facts it found, or why it failed. */
    private static String describe(Outcome outcome) {
        if (outcome instanceof Outcome.Completed c) {
            return Json.write(Facts.write(c.facts()));
        }
        if (outcome instanceof Outcome.TurnedAround t) {
            return Json.write(Facts.write(t.facts()));
        }
        if (outcome instanceof Outcome.Compensated c) {
            return Json.write(Facts.write(c.facts()));
        }
        if (outcome instanceof Outcome.Failed f) {
            return f.reason();
        }
        return outcome instanceof Outcome.CompensationFailed f ? f.reason() : null;
    }

    /** This service's runs for one upgrade, oldest first. */
    public List<StepExecution> of(String upgradeId) {
        return tx.run(s -> s.createSelectionQuery(
                        "from StepExecution where upgradeId = :u order by startedAt, id", StepExecution.class)
                .setParameter("u", upgradeId)
                .getResultList());
    }
}
