package io.baton.planner.api;

import io.baton.contracts.Classification;
import io.baton.contracts.UpgradeKind;
import io.baton.planner.plan.PlannedStep;
import java.util.List;

/** The answer to a new upgrade: its id (none for a dry run), how the change was classified and why, and the plan. */
public record PlanView(
        String id,
        String deployment,
        UpgradeKind kind,
        String state,
        boolean dryRun,
        Classification classification,
        String reason,
        List<String> changed,
        List<PlannedStep> plan) {}
