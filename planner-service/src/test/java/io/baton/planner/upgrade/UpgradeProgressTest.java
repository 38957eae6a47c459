package io.baton.planner.upgrade;

import static io.baton.contracts.StepStatus.COMPENSATED;
import static io.baton.contracts.StepStatus.COMPLETED;
import static io.baton.contracts.StepStatus.FAILED;
import static io.baton.contracts.StepStatus.PENDING;
import static io.baton.contracts.StepStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.contracts.UpgradeKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How each event moves an upgrade, and when the planner announces its end: a table. */
class UpgradeProgressTest {

    static final List<StepName> PLAN = List.of(
            StepName.CREATE_SLAVE,
            StepName.LAUNCH_SLAVE,
            StepName.PROMOTE,
            StepName.APPROVAL,
            StepName.TERMINATE_OLD_PAIR);

    static SagaEvent event(Phase phase, int step, String reason, StepStatus... statuses) {
        List<SlipStep> steps = new ArrayList<>();
        for (int i = 0; i < PLAN.size(); i++) {
            SlipStep s = SlipStep.pending(i, PLAN.get(i), i == PLAN.size() - 1);
            steps.add(i < statuses.length ? s.withStatus(statuses[i]) : s);
        }
        return new SagaEvent(
                "u-1",
                "shop",
                UpgradeKind.DATABASE,
                phase,
                step,
                reason,
                new RoutingSlip(steps, Map.of()),
                null,
                Instant.EPOCH);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row(
                        "a step starting changes nothing",
                        UpgradeState.RUNNING,
                        event(Phase.STEP_STARTED, 1, null, COMPLETED, RUNNING),
                        UpgradeState.RUNNING,
                        null,
                        null),
                row(
                        "the gate waits for an operator",
                        UpgradeState.RUNNING,
                        event(Phase.STEP_STARTED, 3, null, COMPLETED, COMPLETED, COMPLETED, RUNNING),
                        UpgradeState.AWAITING_APPROVAL,
                        null,
                        null),
                row(
                        "approval lets it run on",
                        UpgradeState.AWAITING_APPROVAL,
                        event(Phase.STEP_COMPLETED, 3, null, COMPLETED, COMPLETED, COMPLETED, COMPLETED),
                        UpgradeState.RUNNING,
                        null,
                        null),
                row(
                        "the last step completes the upgrade",
                        UpgradeState.RUNNING,
                        event(Phase.STEP_COMPLETED, 4, null, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED),
                        UpgradeState.COMPLETED,
                        Phase.UPGRADE_COMPLETED,
                        null),
                row(
                        "a failure starts the rollback",
                        UpgradeState.RUNNING,
                        event(Phase.STEP_FAILED, 2, "fence timed out", COMPLETED, COMPLETED, FAILED),
                        UpgradeState.ROLLING_BACK,
                        null,
                        "PROMOTE: fence timed out"),
                row(
                        "an abort turning around does too",
                        UpgradeState.ABORTING,
                        event(Phase.STEP_FAILED, 2, "aborted by the operator", COMPLETED, COMPLETED, COMPLETED),
                        UpgradeState.ROLLING_BACK,
                        null,
                        "PROMOTE: aborted by the operator"),
                row(
                        "the last undo rolls it back",
                        UpgradeState.ROLLING_BACK,
                        event(Phase.STEP_COMPENSATED, 0, null, COMPENSATED, COMPENSATED, FAILED),
                        UpgradeState.ROLLED_BACK,
                        Phase.UPGRADE_ROLLED_BACK,
                        null),
                row(
                        "a failure with nothing to undo rolls back at once",
                        UpgradeState.RUNNING,
                        event(Phase.STEP_FAILED, 0, "no slave to clone", FAILED),
                        UpgradeState.ROLLED_BACK,
                        Phase.UPGRADE_ROLLED_BACK,
                        "CREATE_SLAVE: no slave to clone"),
                row(
                        "an abort before the step started leaves it pending, and rolls back",
                        UpgradeState.ABORTING,
                        event(
                                Phase.STEP_FAILED,
                                4,
                                "aborted by the operator",
                                COMPENSATED,
                                COMPENSATED,
                                COMPENSATED,
                                COMPLETED,
                                PENDING),
                        UpgradeState.ROLLED_BACK,
                        Phase.UPGRADE_ROLLED_BACK,
                        "TERMINATE_OLD_PAIR: aborted by the operator"),
                row(
                        "a failed pivot ends it FAILED for an operator",
                        UpgradeState.RUNNING,
                        event(
                                Phase.STEP_FAILED,
                                4,
                                "terminate refused",
                                COMPLETED,
                                COMPLETED,
                                COMPLETED,
                                COMPLETED,
                                FAILED),
                        UpgradeState.FAILED,
                        Phase.UPGRADE_FAILED,
                        UpgradeProgress.PIVOT_FAILED),
                row(
                        "a failed undo ends it FAILED",
                        UpgradeState.ROLLING_BACK,
                        event(
                                Phase.COMPENSATION_FAILED,
                                1,
                                "could not undo LAUNCH_SLAVE",
                                COMPLETED,
                                StepStatus.COMPENSATION_FAILED,
                                FAILED),
                        UpgradeState.FAILED,
                        Phase.UPGRADE_FAILED,
                        "could not undo LAUNCH_SLAVE"),
                row(
                        "a step's failure heard after the rollback it caused ended gives the reason, nothing else",
                        UpgradeState.ROLLED_BACK,
                        event(Phase.STEP_FAILED, 2, "injected fault", COMPENSATED, COMPENSATED, FAILED),
                        UpgradeState.ROLLED_BACK,
                        null,
                        "PROMOTE: injected fault"),
                row(
                        "an ended upgrade hears nothing more",
                        UpgradeState.ROLLED_BACK,
                        event(Phase.STEP_COMPLETED, 4, null, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED),
                        UpgradeState.ROLLED_BACK,
                        null,
                        null));
    }

    static Arguments row(
            String rule, UpgradeState from, SagaEvent event, UpgradeState to, Phase announce, String failure) {
        return Arguments.of(rule, from, event, to, announce, failure);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void moves(String rule, UpgradeState from, SagaEvent event, UpgradeState to, Phase announce, String failure) {
        UpgradeProgress progress = UpgradeProgress.after(from, event);
        assertThat(progress.state()).as(rule).isEqualTo(to);
        assertThat(from == to || from.canMoveTo(to))
                .as(rule + ": a move the upgrade's state machine allows")
                .isTrue();
        assertThat(progress.announce()).as(rule).isEqualTo(announce);
        assertThat(progress.failureAfter(null)).as(rule).isEqualTo(failure);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void theFirstFailureStaysUnlessTheUpgradeEndsFailed(
            String rule, UpgradeState from, SagaEvent event, UpgradeState to, Phase announce, String failure) {
        String first = "LAUNCH_SLAVE: the first reason";
        String kept = UpgradeProgress.after(from, event).failureAfter(first);
        assertThat(kept).as(rule).isEqualTo(announce == Phase.UPGRADE_FAILED ? failure : first);
    }
}
