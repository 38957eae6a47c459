package io.baton.contracts;

import java.util.ArrayList;
import java.util.List;

/** CloudEvents types: {@code baton.<service>.<past-tense-name>.v1}. A breaking change is a new version. */
public final class EventTypes {

    public static final String UPGRADE_REQUESTED = type(Owner.PLANNER, "upgrade-requested");
    public static final String ABORT_REQUESTED = type(Owner.PLANNER, "abort-requested");
    public static final String UPGRADE_COMPLETED = type(Owner.PLANNER, "upgrade-completed");
    public static final String UPGRADE_ROLLED_BACK = type(Owner.PLANNER, "upgrade-rolled-back");
    public static final String UPGRADE_FAILED = type(Owner.PLANNER, "upgrade-failed");

    private EventTypes() {}

    public static String type(Owner owner, String name) {
        return "baton." + owner.code() + "." + name + ".v1";
    }

    public static String of(Owner publisher, Phase phase, StepName step) {
        return switch (phase) {
            case REQUESTED -> UPGRADE_REQUESTED;
            case ABORT_REQUESTED -> ABORT_REQUESTED;
            case UPGRADE_COMPLETED -> UPGRADE_COMPLETED;
            case UPGRADE_ROLLED_BACK -> UPGRADE_ROLLED_BACK;
            case UPGRADE_FAILED -> UPGRADE_FAILED;
            case STEP_COMPLETED -> step.completedType();
            case STEP_STARTED -> type(publisher, "step-started");
            case STEP_FAILED -> type(publisher, "step-failed");
            case COMPENSATION_STARTED -> type(publisher, "compensation-started");
            case STEP_COMPENSATED -> type(publisher, "step-compensated");
            case COMPENSATION_FAILED -> type(publisher, "compensation-failed");
        };
    }

    /** Every type Baton publishes; each has a schema-valid example under {@code events/examples/}. */
    public static List<String> all() {
        List<String> all = new ArrayList<>(
                List.of(UPGRADE_REQUESTED, ABORT_REQUESTED, UPGRADE_COMPLETED, UPGRADE_ROLLED_BACK, UPGRADE_FAILED));
        for (Owner owner : Owner.values()) {
            boolean ownsSteps = false;
            boolean ownsUndo = false;
            for (StepName step : StepName.values()) {
                ownsSteps |= step.owner() == owner;
                ownsUndo |= step.owner() == owner && step.compensable();
            }
            if (ownsSteps) {
                all.add(type(owner, "step-started"));
                all.add(type(owner, "step-failed"));
            }
            if (ownsUndo) {
                all.add(type(owner, "compensation-started"));
                all.add(type(owner, "step-compensated"));
                all.add(type(owner, "compensation-failed"));
            }
        }
        for (StepName step : StepName.values()) {
            all.add(step.completedType());
        }
        return all;
    }
}
