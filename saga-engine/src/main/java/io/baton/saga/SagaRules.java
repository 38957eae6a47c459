package io.baton.saga;

import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepStatus;
import io.baton.contracts.facts.StepFacts;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The routing-slip choreography as one service sees it, with no I/O: from an event, the slip it carries, the service
 * and what the service already did for the upgrade, what to do next; and, once a step has run, what to announce. Every
 * service applies the same rules to every event, so exactly one holds the baton at a time.
 */
public final class SagaRules {

    public static final String ABORTED = "aborted by the operator";

    private SagaRules() {}

    /** One of this service's runs of a step: its action or its compensation. */
    public record Run(int step, Mode mode) {}

    /**
     * What this service already did for one upgrade, as far as the rules need to know.
     *
     * @param processed the event at hand was handled before (a redelivery)
     * @param aborted the operator aborted the upgrade
     * @param runs the actions and compensations this service started for it
     * @param waiting the step of this service now waiting for an operator, or null
     */
    public record Local(boolean processed, boolean aborted, Set<Run> runs, Integer waiting) {

        public Local {
            runs = Set.copyOf(runs);
        }

        /** A service that never acted on the upgrade. */
        public static Local none() {
            return new Local(false, false, Set.of(), null);
        }

        boolean started(SlipStep step, Mode mode) {
            return runs.contains(new Run(step.index(), mode));
        }
    }

    /** What a service does about an event. */
    public sealed interface Decision {

        /** The event this service publishes about the decision, in the transaction that records it; none for some. */
        Optional<SagaEvent> announce(SagaEvent trigger, Instant at);

        /** Nothing for this service to do; {@code why} is for the log and for tests. */
        record Nothing(String why) implements Decision {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                return Optional.empty();
            }
        }

        /** Run the step's action. */
        record Start(SlipStep step) implements Decision {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip().withStatus(step.index(), StepStatus.RUNNING);
                return Optional.of(trigger.next(Phase.STEP_STARTED, step.index(), null, slip, at));
            }
        }

        /** Run the step's compensation: the rollback has reached it. */
        record Undo(SlipStep step) implements Decision {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                return Optional.of(trigger.next(Phase.COMPENSATION_STARTED, step.index(), null, trigger.slip(), at));
            }
        }

        /**
         * Turn the saga around at a step without running anything: a step about to start for an aborted upgrade (it
         * stays PENDING, which keeps a pivot that never started from closing the rollback), or a step waiting for an
         * operator when the operator aborts (it ends FAILED).
         */
        record Fail(SlipStep step, StepStatus status, String reason) implements Decision {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip().withStatus(step.index(), status);
                return Optional.of(trigger.next(Phase.STEP_FAILED, step.index(), reason, slip, at));
            }
        }
    }

    /**
     * Whether the decision about this event may depend on what this service did for the upgrade: it is about a step
     * this service owns, or it is an abort, which every service records. For other events the answer is nothing,
     * whatever this service did, so a runner need not look.
     */
    public static boolean concerns(SagaEvent event, Owner owner) {
        return concerned(event).contains(owner);
    }

    /**
     * The services that read this event: those it {@link #concerned concerns}, and, for an {@code upgrade-requested},
     * every owner of a step, each of which records the plan then and believes no event of an upgrade it did not see
     * requested.
     */
    public static Set<Owner> readers(SagaEvent event) {
        if (event.phase() != Phase.REQUESTED) {
            return concerned(event);
        }
        Set<Owner> all = java.util.EnumSet.noneOf(Owner.class);
        event.slip().steps().forEach(step -> all.add(step.owner()));
        return all;
    }

    /** The services whose decision about this event may be more than nothing. */
    public static Set<Owner> concerned(SagaEvent event) {
        return switch (event.phase()) {
            case REQUESTED -> Set.of(event.slip().step(0).owner());
            case STEP_COMPLETED -> event.slip()
                    .after(event.step())
                    .map(s -> Set.of(s.owner()))
                    .orElse(Set.of());
            case STEP_FAILED, STEP_COMPENSATED -> rollbackTarget(event.slip())
                    .map(s -> Set.of(s.owner()))
                    .orElse(Set.of());
            case ABORT_REQUESTED -> Set.of(Owner.values());
            default -> Set.of();
        };
    }

    /** The decision: which of this service's steps, if any, the event asks it to run, undo or turn around. */
    public static Decision decide(SagaEvent event, Owner owner, Local local) {
        if (local.processed()) {
            return new Decision.Nothing("handled before: a redelivery");
        }
        RoutingSlip slip = event.slip();
        return switch (event.phase()) {
            case REQUESTED -> start(slip.step(0), owner, local);
            case STEP_COMPLETED -> slip.after(event.step())
                    .map(next -> start(next, owner, local))
                    .orElseGet(() -> new Decision.Nothing("the last step completed"));
            case STEP_FAILED, STEP_COMPENSATED -> rollbackTarget(slip)
                    .map(target -> undo(target, owner, local))
                    .orElseGet(() -> new Decision.Nothing(
                            pivotStarted(slip) ? "the pivot has started: nothing before it is undone" : "rolled back"));
            case ABORT_REQUESTED -> local.waiting() != null
                    ? new Decision.Fail(slip.step(local.waiting()), StepStatus.FAILED, ABORTED)
                    : new Decision.Nothing("no step of this service waits for an operator");
            default -> new Decision.Nothing(event.phase() + " asks nothing of the steps");
        };
    }

    private static Decision start(SlipStep step, Owner owner, Local local) {
        if (step.owner() != owner) {
            return new Decision.Nothing("step " + step.index() + " is " + step.owner() + "'s");
        }
        if (local.started(step, Mode.ACTION)) {
            return new Decision.Nothing("step " + step.index() + " started before");
        }
        if (local.aborted()) {
            return new Decision.Fail(step, StepStatus.PENDING, ABORTED);
        }
        return new Decision.Start(step);
    }

    private static Decision undo(SlipStep step, Owner owner, Local local) {
        if (step.owner() != owner) {
            return new Decision.Nothing("the undo of step " + step.index() + " is " + step.owner() + "'s");
        }
        if (local.started(step, Mode.COMPENSATION)) {
            return new Decision.Nothing("the undo of step " + step.index() + " started before");
        }
        return new Decision.Undo(step);
    }

    /** The step a rollback undoes next; none once the pivot has started, since nothing before it is undone then. */
    public static Optional<SlipStep> rollbackTarget(RoutingSlip slip) {
        return pivotStarted(slip) ? Optional.empty() : slip.nextToCompensate();
    }

    public static boolean pivotStarted(RoutingSlip slip) {
        return slip.steps().stream().anyMatch(step -> step.pivot() && step.status() != StepStatus.PENDING);
    }

    /** How a run of a step ended, and what its owner announces. */
    public sealed interface Outcome {

        /** The event announcing the outcome; none while a step waits for an operator. */
        Optional<SagaEvent> announce(SagaEvent trigger, Instant at);

        /** Whether the run is over (the execution ends); a waiting step is not. */
        default boolean ends() {
            return true;
        }

        /** The step is done: the baton passes to the next one. */
        record Completed(SlipStep step, StepFacts facts) implements Outcome {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip()
                        .withStatus(step.index(), StepStatus.COMPLETED)
                        .withFacts(facts);
                return Optional.of(trigger.next(Phase.STEP_COMPLETED, step.index(), null, slip, at));
            }
        }

        /**
         * The step is done but the operator aborted meanwhile: it is reported completed, so that the rollback undoes
         * it first, and the saga turns around here.
         */
        record TurnedAround(SlipStep step, StepFacts facts) implements Outcome {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip()
                        .withStatus(step.index(), StepStatus.COMPLETED)
                        .withFacts(facts);
                return Optional.of(trigger.next(Phase.STEP_FAILED, step.index(), ABORTED, slip, at));
            }
        }

        /** The step waits for something outside the service (the approval gate). */
        record Waiting(SlipStep step) implements Outcome {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                return Optional.empty();
            }

            @Override
            public boolean ends() {
                return false;
            }
        }

        /** The step failed; whatever part of it had happened is undone. The rollback starts before it. */
        record Failed(SlipStep step, String reason) implements Outcome {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip().withStatus(step.index(), StepStatus.FAILED);
                return Optional.of(trigger.next(Phase.STEP_FAILED, step.index(), reason, slip, at));
            }
        }

        /** The step is undone: the rollback moves on to the step before. */
        record Compensated(SlipStep step, StepFacts facts) implements Outcome {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip()
                        .withStatus(step.index(), StepStatus.COMPENSATED)
                        .withFacts(facts);
                return Optional.of(trigger.next(Phase.STEP_COMPENSATED, step.index(), null, slip, at));
            }
        }

        /** The step could not be undone: the saga stops for an operator. */
        record CompensationFailed(SlipStep step, String reason) implements Outcome {
            @Override
            public Optional<SagaEvent> announce(SagaEvent trigger, Instant at) {
                RoutingSlip slip = trigger.slip().withStatus(step.index(), StepStatus.COMPENSATION_FAILED);
                return Optional.of(trigger.next(Phase.COMPENSATION_FAILED, step.index(), reason, slip, at));
            }
        }
    }

    /**
     * What a step's action that returned amounts to, given whether the operator aborted while it ran: a pivot always
     * completes (nothing before it can be undone any more); a step about to wait for an operator who already aborted
     * fails at once.
     */
    public static Outcome afterAction(SlipStep step, StepResult result, boolean aborted) {
        if (result.waiting()) {
            return aborted ? new Outcome.Failed(step, ABORTED) : new Outcome.Waiting(step);
        }
        if (aborted && !step.pivot()) {
            return new Outcome.TurnedAround(step, result.facts());
        }
        return new Outcome.Completed(step, result.facts());
    }
}
