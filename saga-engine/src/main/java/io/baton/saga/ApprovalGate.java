package io.baton.saga;

import io.baton.contracts.Json;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.facts.None;
import io.baton.saga.SagaRules.Outcome;
import io.baton.saga.StepExecution.State;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * An operator's hand on a saga, inside the caller's transaction: approve the step that waits for approval, or abort
 * the upgrade, which turns a waiting step around at once and makes every later decision of this service turn around.
 */
@ApplicationScoped
public class ApprovalGate {

    private final Executions executions;
    private final AbortSignals aborts;
    private final Outbox outbox;

    public ApprovalGate(Executions executions, AbortSignals aborts, Outbox outbox) {
        this.executions = executions;
        this.aborts = aborts;
        this.outbox = outbox;
    }

    /** Completes the waiting step at {@code index} in the name of {@code approver}; false when it does not wait. */
    public Uni<Boolean> approve(Mutiny.Session s, String upgradeId, int index, String approver) {
        String id = StepExecution.key(upgradeId, index, Mode.ACTION);
        return s.find(StepExecution.class, id, LockModeType.PESSIMISTIC_WRITE).chain(x -> {
            if (x == null || x.state != State.WAITING) {
                return Uni.createFrom().item(false);
            }
            SagaEvent trigger = Json.read(x.trigger, SagaEvent.class);
            return executions.finish(
                    s, id, trigger, new Outcome.Completed(trigger.slip().step(index), None.INSTANCE), approver);
        });
    }

    /**
     * Records the abort, publishes {@code abortRequested} (which names who aborted), and fails the step waiting for an
     * operator, if any.
     */
    public Uni<Void> abort(Mutiny.Session s, SagaEvent abortRequested) {
        String upgradeId = abortRequested.upgradeId();
        return aborts.markAborted(s, upgradeId, abortRequested.deployment())
                .chain(() -> outbox.add(s, abortRequested))
                .chain(() -> s.createSelectionQuery(
                                "from StepExecution where upgradeId = :u and state = :state", StepExecution.class)
                        .setParameter("u", upgradeId)
                        .setParameter("state", State.WAITING)
                        .getResultList())
                .chain(waiting -> {
                    if (waiting.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    StepExecution x = waiting.get(0);
                    SagaEvent trigger = Json.read(x.trigger, SagaEvent.class);
                    Outcome failed = new Outcome.Failed(trigger.slip().step(x.stepIndex), SagaRules.ABORTED);
                    return executions.finish(s, x.id, trigger, failed).replaceWithVoid();
                });
    }
}
