package io.baton.planner.upgrade;

import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepName;
import io.baton.saga.SagaRules;

/**
 * What a saga event means for the upgrade as a whole, with no I/O: the state it moves to, and whether the planner
 * announces the end of the upgrade. The planner owns no step but the gate; it only watches the slip.
 *
 * @param state the upgrade's state after the event
 * @param announce the end the planner publishes ({@code UPGRADE_COMPLETED}, ...), or null
 * @param failure why it failed, when the event says, or null
 */
public record UpgradeProgress(UpgradeState state, Phase announce, String failure) {

    static final String PIVOT_FAILED = "the pivot failed: the old servers may be partly terminated; finish it by hand";

    public static UpgradeProgress after(UpgradeState current, SagaEvent e) {
        StepName step = e.step() >= 0 ? e.slip().step(e.step()).name() : null;
        String failure = e.reason() == null || step == null ? null : step + ": " + e.reason();
        if (current.terminal()) {
            // events of different services can come in another order than they were written (a replica that died
            // held one topic's partitions a while): a step's failure heard after the rollback it caused ended still
            // gives the upgrade its reason, if it has none
            return new UpgradeProgress(current, null, e.phase() == Phase.STEP_FAILED ? failure : null);
        }
        return switch (e.phase()) {
            case STEP_STARTED -> step == StepName.APPROVAL
                    ? move(current, UpgradeState.AWAITING_APPROVAL, null, null)
                    : stay(current);
            case STEP_COMPLETED -> {
                if (e.step() == e.slip().steps().size() - 1) {
                    yield move(current, UpgradeState.COMPLETED, Phase.UPGRADE_COMPLETED, null);
                }
                yield step == StepName.APPROVAL ? move(current, UpgradeState.RUNNING, null, null) : stay(current);
            }
            case STEP_FAILED, STEP_COMPENSATED -> {
                if (SagaRules.pivotStarted(e.slip())) {
                    yield move(current, UpgradeState.FAILED, Phase.UPGRADE_FAILED, PIVOT_FAILED);
                }
                if (SagaRules.rollbackTarget(e.slip()).isEmpty()) {
                    yield move(current, UpgradeState.ROLLED_BACK, Phase.UPGRADE_ROLLED_BACK, failure);
                }
                yield move(current, UpgradeState.ROLLING_BACK, null, failure);
            }
            case COMPENSATION_FAILED -> move(current, UpgradeState.FAILED, Phase.UPGRADE_FAILED, e.reason());
            default -> stay(current);
        };
    }

    /**
     * The upgrade's failure once this event is counted: the first reason a step gave stays, unless the upgrade now
     * ends FAILED, whose reason is the one an operator must act on.
     */
    public String failureAfter(String current) {
        if (failure == null) {
            return current;
        }
        return current == null || announce == Phase.UPGRADE_FAILED ? failure : current;
    }

    private static UpgradeProgress stay(UpgradeState state) {
        return new UpgradeProgress(state, null, null);
    }

    /** Moves when the state machine allows it; otherwise the upgrade stays where it is and nothing is announced. */
    private static UpgradeProgress move(UpgradeState from, UpgradeState to, Phase announce, String failure) {
        if (from == to) {
            return new UpgradeProgress(from, null, failure);
        }
        if (!from.canMoveTo(to)) {
            return stay(from);
        }
        return new UpgradeProgress(to, announce, failure);
    }
}
