package io.baton.saga;

import static io.baton.contracts.StepStatus.COMPENSATED;
import static io.baton.contracts.StepStatus.COMPLETED;
import static io.baton.contracts.StepStatus.FAILED;
import static io.baton.contracts.StepStatus.PENDING;
import static io.baton.contracts.StepStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.facts.DatabaseFacts.MasterPromoted;
import io.baton.contracts.facts.DatabaseFacts.SwitchedBack;
import io.baton.contracts.facts.None;
import io.baton.saga.SagaRules.Decision;
import io.baton.saga.SagaRules.Local;
import io.baton.saga.SagaRules.Outcome;
import io.baton.saga.SagaRules.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the choreography, as a table: an event, the service looking at it, what it did, what it does. */
class SagaRulesTest {

    /** The database runbook with the approval gate: 0..8 as in the runbook, 9 APPROVAL, 10 the pivot. */
    static final List<StepName> PLAN = List.of(
            StepName.CREATE_SLAVE,
            StepName.LAUNCH_SLAVE,
            StepName.AWAIT_CATCH_UP,
            StepName.CHECK_FIREWALL,
            StepName.PROMOTE,
            StepName.BACKUP_MASTER,
            StepName.VERIFY_MASTER,
            StepName.LAUNCH_NEW_SLAVE,
            StepName.AWAIT_NEW_SLAVE_SYNC,
            StepName.APPROVAL,
            StepName.TERMINATE_OLD_PAIR);

    static final int PIVOT = PLAN.size() - 1;

    /** A slip whose steps have the given statuses, the rest PENDING. */
    static RoutingSlip slip(StepStatus... statuses) {
        List<SlipStep> steps = new ArrayList<>();
        for (int i = 0; i < PLAN.size(); i++) {
            SlipStep step = SlipStep.pending(i, PLAN.get(i), i == PIVOT);
            steps.add(i < statuses.length ? step.withStatus(statuses[i]) : step);
        }
        return new RoutingSlip(steps, Map.of());
    }

    static SagaEvent event(Phase phase, int step, RoutingSlip slip) {
        return new SagaEvent("u-1", "shop", UpgradeKind.DATABASE, phase, step, null, slip, null, Instant.EPOCH);
    }

    static final Local NOTHING_DONE = Local.none();

    static Local ran(Run... runs) {
        return new Local(false, false, Set.of(runs), null);
    }

    static final Local ABORTED = new Local(false, true, Set.of(), null);
    static final Local REDELIVERED = new Local(true, false, Set.of(), null);

    static Decision start(int step) {
        return new Decision.Start(slipStep(step));
    }

    static Decision undo(int step) {
        return new Decision.Undo(slipStep(step));
    }

    static SlipStep slipStep(int step) {
        return SlipStep.pending(step, PLAN.get(step), step == PIVOT);
    }

    static Stream<Arguments> rules() {
        RoutingSlip fresh = slip();
        RoutingSlip launched = slip(COMPLETED, COMPLETED);
        RoutingSlip promoteFailed = slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED, FAILED);
        RoutingSlip backupFailed = slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, FAILED);
        RoutingSlip promoteUndone = slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPENSATED, FAILED);
        RoutingSlip launchUndone = slip(COMPLETED, COMPENSATED, COMPLETED, COMPLETED, FAILED);
        RoutingSlip allUndone = slip(COMPENSATED, COMPENSATED, COMPLETED, COMPLETED, FAILED);
        RoutingSlip gated =
                slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED);
        RoutingSlip approved = slip(
                COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED,
                COMPLETED);
        RoutingSlip pivotFailed = slip(
                COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED,
                COMPLETED, FAILED);
        RoutingSlip pivotRefused = slip(
                COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED,
                COMPLETED, PENDING);
        RoutingSlip done = slip(
                COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED,
                COMPLETED, COMPLETED);
        return Stream.of(
                // start
                row(
                        "the owner of step 0 starts it",
                        event(Phase.REQUESTED, -1, fresh),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        start(0)),
                row(
                        "the others leave step 0 alone",
                        event(Phase.REQUESTED, -1, fresh),
                        Owner.DB,
                        NOTHING_DONE,
                        nothing()),
                row("the planner too", event(Phase.REQUESTED, -1, fresh), Owner.PLANNER, NOTHING_DONE, nothing()),
                // pass the baton
                row(
                        "an owner passes the baton to itself",
                        event(Phase.STEP_COMPLETED, 0, slip(COMPLETED)),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        start(1)),
                row(
                        "the next owner takes the baton",
                        event(Phase.STEP_COMPLETED, 1, launched),
                        Owner.DB,
                        NOTHING_DONE,
                        start(2)),
                row(
                        "the one that passed it does nothing more",
                        event(Phase.STEP_COMPLETED, 1, launched),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        nothing()),
                row(
                        "the gate's owner waits at the gate",
                        event(Phase.STEP_COMPLETED, 8, gated),
                        Owner.PLANNER,
                        NOTHING_DONE,
                        start(9)),
                row(
                        "approval hands the pivot to its owner",
                        event(Phase.STEP_COMPLETED, 9, approved),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        start(PIVOT)),
                row(
                        "after the last step there is nothing to pass",
                        event(Phase.STEP_COMPLETED, PIVOT, done),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        nothing()),
                // redelivery and repeats
                row(
                        "a redelivered event does nothing",
                        event(Phase.STEP_COMPLETED, 1, launched),
                        Owner.DB,
                        REDELIVERED,
                        nothing()),
                row(
                        "a step started before is not started again",
                        event(Phase.STEP_COMPLETED, 1, launched),
                        Owner.DB,
                        ran(new Run(2, Mode.ACTION)),
                        nothing()),
                row(
                        "an undo started before is not started again",
                        event(Phase.STEP_FAILED, 4, promoteFailed),
                        Owner.CLOUD,
                        ran(new Run(1, Mode.ACTION), new Run(1, Mode.COMPENSATION)),
                        nothing()),
                // rollback target
                row(
                        "a failure is undone from the newest completed step with an undo",
                        event(Phase.STEP_FAILED, 4, promoteFailed),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        undo(1)),
                row(
                        "checks without an undo are skipped",
                        event(Phase.STEP_FAILED, 4, promoteFailed),
                        Owner.DB,
                        NOTHING_DONE,
                        nothing()),
                row(
                        "a failure after promotion switches back first",
                        event(Phase.STEP_FAILED, 5, backupFailed),
                        Owner.DB,
                        NOTHING_DONE,
                        undo(4)),
                row(
                        "an undone step hands the rollback on",
                        event(Phase.STEP_COMPENSATED, 4, promoteUndone),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        undo(1)),
                row(
                        "the rollback walks the slip backwards",
                        event(Phase.STEP_COMPENSATED, 1, launchUndone),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        undo(0)),
                row(
                        "when nothing is left to undo, nobody acts",
                        event(Phase.STEP_COMPENSATED, 0, allUndone),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        nothing()),
                // abort
                row(
                        "an aborted upgrade starts no further step",
                        event(Phase.STEP_COMPLETED, 1, launched),
                        Owner.DB,
                        ABORTED,
                        new Decision.Fail(slipStep(2), PENDING, SagaRules.ABORTED)),
                row(
                        "an abort before the pivot leaves the pivot unstarted",
                        event(Phase.STEP_COMPLETED, 9, approved),
                        Owner.CLOUD,
                        ABORTED,
                        new Decision.Fail(slipStep(PIVOT), PENDING, SagaRules.ABORTED)),
                row(
                        "an unstarted pivot keeps the rollback open",
                        event(Phase.STEP_FAILED, PIVOT, pivotRefused),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        undo(7)),
                row(
                        "after the pivot started nothing is undone",
                        event(Phase.STEP_FAILED, PIVOT, pivotFailed),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        nothing()),
                row(
                        "an abort turns the waiting gate around",
                        event(Phase.ABORT_REQUESTED, -1, gated),
                        Owner.PLANNER,
                        new Local(false, true, Set.of(new Run(9, Mode.ACTION)), 9),
                        new Decision.Fail(slipStep(9), FAILED, SagaRules.ABORTED)),
                row(
                        "an abort with nothing waiting asks nothing more",
                        event(Phase.ABORT_REQUESTED, -1, launched),
                        Owner.DB,
                        ABORTED,
                        nothing()),
                row(
                        "the end of an upgrade asks nothing of the steps",
                        event(Phase.UPGRADE_COMPLETED, -1, done),
                        Owner.CLOUD,
                        NOTHING_DONE,
                        nothing()),
                row(
                        "nor does a step starting",
                        event(Phase.STEP_STARTED, 2, slip(COMPLETED, COMPLETED, RUNNING)),
                        Owner.DB,
                        NOTHING_DONE,
                        nothing()));
    }

    /** Stands for any Nothing, whatever its reason. */
    static Decision nothing() {
        return new Decision.Nothing("*");
    }

    static Arguments row(String rule, SagaEvent event, Owner owner, Local local, Decision expected) {
        return Arguments.of(rule, event, owner, local, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void decides(String rule, SagaEvent event, Owner owner, Local local, Decision expected) {
        Decision decision = SagaRules.decide(event, owner, local);
        if (expected instanceof Decision.Nothing) {
            assertThat(decision).as(rule).isInstanceOf(Decision.Nothing.class);
        } else {
            assertThat(decision)
                    .as(rule)
                    .usingRecursiveComparison()
                    .ignoringFields("step.status")
                    .isEqualTo(expected);
        }
        if (!(decision instanceof Decision.Nothing)) {
            assertThat(SagaRules.concerns(event, owner))
                    .as("a service that acts is one the event concerns")
                    .isTrue();
        }
    }

    @Test
    void eventsAboutOthersStepsDoNotConcernAService() {
        assertThat(SagaRules.concerns(event(Phase.STEP_COMPLETED, 1, slip(COMPLETED, COMPLETED)), Owner.LB))
                .isFalse();
        assertThat(SagaRules.concerns(event(Phase.STEP_STARTED, 1, slip(COMPLETED, RUNNING)), Owner.CLOUD))
                .isFalse();
        assertThat(SagaRules.concerns(event(Phase.ABORT_REQUESTED, -1, slip()), Owner.LB))
                .as("every service records an abort")
                .isTrue();
    }

    @Test
    void aStartAnnouncesTheStepRunningAndAnUndoKeepsTheSlip() {
        SagaEvent launched = event(Phase.STEP_COMPLETED, 1, slip(COMPLETED, COMPLETED));
        SagaEvent started = start(2).announce(launched, Instant.EPOCH).orElseThrow();
        assertThat(started.phase()).isEqualTo(Phase.STEP_STARTED);
        assertThat(started.step()).isEqualTo(2);
        assertThat(started.slip().step(2).status()).isEqualTo(RUNNING);

        SagaEvent failed = event(Phase.STEP_FAILED, 4, slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED, FAILED));
        SagaEvent compensating = undo(1).announce(failed, Instant.EPOCH).orElseThrow();
        assertThat(compensating.phase()).isEqualTo(Phase.COMPENSATION_STARTED);
        assertThat(compensating.slip()).isEqualTo(failed.slip());
    }

    @Test
    void aRefusedStepStaysPendingAndAFailedGateFails() {
        SagaEvent launched = event(Phase.STEP_COMPLETED, 1, slip(COMPLETED, COMPLETED));
        SagaEvent refused = new Decision.Fail(slipStep(2), PENDING, SagaRules.ABORTED)
                .announce(launched, Instant.EPOCH)
                .orElseThrow();
        assertThat(refused.phase()).isEqualTo(Phase.STEP_FAILED);
        assertThat(refused.slip().step(2).status()).as("never ran").isEqualTo(PENDING);
        assertThat(refused.reason()).isEqualTo(SagaRules.ABORTED);
        assertThat(SagaRules.rollbackTarget(refused.slip()).orElseThrow().index())
                .isEqualTo(1);
    }

    @Test
    void aStepThatEndsReportsItsFactsAndPassesTheBaton() {
        SagaEvent trigger = event(Phase.STEP_COMPLETED, 3, slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED));
        StepResult promoted = StepResult.done(new MasterPromoted("0/5", "0/5", 120));
        Outcome outcome = SagaRules.afterAction(slipStep(4), promoted, false);
        assertThat(outcome).isInstanceOf(Outcome.Completed.class);
        SagaEvent event = outcome.announce(trigger, Instant.EPOCH).orElseThrow();
        assertThat(event.phase()).isEqualTo(Phase.STEP_COMPLETED);
        assertThat(event.slip().step(4).status()).isEqualTo(COMPLETED);
        assertThat(event.slip().facts(MasterPromoted.class).writeFenceMillis()).isEqualTo(120);
    }

    @Test
    void aStepThatEndsAfterAnAbortIsReportedDoneAndTurnsTheSagaAround() {
        SagaEvent trigger = event(Phase.STEP_COMPLETED, 3, slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED));
        Outcome outcome =
                SagaRules.afterAction(slipStep(4), StepResult.done(new MasterPromoted("0/5", "0/5", 1)), true);
        assertThat(outcome).isInstanceOf(Outcome.TurnedAround.class);
        SagaEvent event = outcome.announce(trigger, Instant.EPOCH).orElseThrow();
        assertThat(event.phase()).isEqualTo(Phase.STEP_FAILED);
        assertThat(event.reason()).isEqualTo(SagaRules.ABORTED);
        assertThat(event.slip().step(4).status())
                .as("completed, so that the rollback undoes it first")
                .isEqualTo(COMPLETED);
        assertThat(SagaRules.rollbackTarget(event.slip()).orElseThrow().index()).isEqualTo(4);
    }

    @Test
    void aPivotThatStartedCompletesEvenAfterAnAbort() {
        Outcome outcome = SagaRules.afterAction(slipStep(PIVOT), StepResult.done(), true);
        assertThat(outcome).isInstanceOf(Outcome.Completed.class);
    }

    @Test
    void theGateWaitsUnlessTheOperatorAbortedAlready() {
        Outcome waits = SagaRules.afterAction(slipStep(9), StepResult.waitingForOperator(), false);
        assertThat(waits).isInstanceOf(Outcome.Waiting.class);
        assertThat(waits.ends()).isFalse();
        assertThat(waits.announce(event(Phase.STEP_COMPLETED, 8, slip()), Instant.EPOCH))
                .isEmpty();

        Outcome fails = SagaRules.afterAction(slipStep(9), StepResult.waitingForOperator(), true);
        assertThat(fails).isEqualTo(new Outcome.Failed(slipStep(9), SagaRules.ABORTED));
    }

    @Test
    void aSwitchBackLeavesItsProofWithTheCompensatedStep() {
        SagaEvent trigger =
                event(Phase.STEP_FAILED, 5, slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, FAILED));
        SagaEvent event = new Outcome.Compensated(slipStep(4), new SwitchedBack("0/9", "0/9", 80))
                .announce(trigger, Instant.EPOCH)
                .orElseThrow();
        assertThat(event.phase()).isEqualTo(Phase.STEP_COMPENSATED);
        assertThat(event.slip().step(4).status()).isEqualTo(COMPENSATED);
        assertThat(event.slip().facts(SwitchedBack.class).switchBackFenceMillis())
                .isEqualTo(80);
        assertThat(SagaRules.rollbackTarget(event.slip()).orElseThrow().index()).isEqualTo(1);
    }

    @Test
    void aFailureOrAFailedUndoSaysWhy() {
        SagaEvent trigger = event(Phase.STEP_COMPLETED, 3, slip(COMPLETED, COMPLETED, COMPLETED, COMPLETED));
        SagaEvent failed = new Outcome.Failed(slipStep(4), "promotion refused")
                .announce(trigger, Instant.EPOCH)
                .orElseThrow();
        assertThat(failed.phase()).isEqualTo(Phase.STEP_FAILED);
        assertThat(failed.slip().step(4).status()).isEqualTo(FAILED);
        assertThat(failed.reason()).isEqualTo("promotion refused");

        SagaEvent stuck = new Outcome.CompensationFailed(slipStep(1), "could not undo LAUNCH_SLAVE")
                .announce(trigger, Instant.EPOCH)
                .orElseThrow();
        assertThat(stuck.phase()).isEqualTo(Phase.COMPENSATION_FAILED);
        assertThat(stuck.slip().step(1).status()).isEqualTo(StepStatus.COMPENSATION_FAILED);
        assertThat(new Outcome.Compensated(slipStep(1), None.INSTANCE).ends()).isTrue();
    }
}
