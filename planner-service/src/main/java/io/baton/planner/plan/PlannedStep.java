package io.baton.planner.plan;

import io.baton.contracts.Owner;
import io.baton.contracts.StepName;

/** One step of a plan as the operator reads it. */
public record PlannedStep(int index, StepName name, Owner owner, String action, String compensation, boolean pivot) {}
