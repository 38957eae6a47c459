package io.baton.planner.upgrade;

import java.util.EnumSet;
import java.util.Set;

/** The life of an upgrade, with the transitions the planner allows. */
public enum UpgradeState {
    RUNNING,
    AWAITING_APPROVAL,
    /** The operator asked to stop; whoever holds the baton turns around. */
    ABORTING,
    ROLLING_BACK,
    COMPLETED,
    ROLLED_BACK,
    /** A compensation failed, or the pivot did: an operator must look. */
    FAILED;

    public boolean terminal() {
        return this == COMPLETED || this == ROLLED_BACK || this == FAILED;
    }

    public boolean canMoveTo(UpgradeState next) {
        return allowed().contains(next);
    }

    private Set<UpgradeState> allowed() {
        return switch (this) {
                // a failure with nothing before it to undo rolls back at once
            case RUNNING -> EnumSet.of(AWAITING_APPROVAL, ABORTING, ROLLING_BACK, ROLLED_BACK, COMPLETED, FAILED);
            case AWAITING_APPROVAL -> EnumSet.of(RUNNING, ABORTING, ROLLING_BACK, ROLLED_BACK, FAILED);
            case ABORTING -> EnumSet.of(ROLLING_BACK, ROLLED_BACK, COMPLETED, FAILED);
            case ROLLING_BACK -> EnumSet.of(ROLLED_BACK, FAILED);
            case COMPLETED, ROLLED_BACK, FAILED -> EnumSet.noneOf(UpgradeState.class);
        };
    }
}
