package io.baton.planner.api;

import io.baton.contracts.ServerConfig;
import io.baton.contracts.UpgradeKind;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * What an operator asks for.
 *
 * @param change for a database upgrade: the fields to change; the others stay as they are
 * @param approvalRequired wait for POST /upgrades/{id}/approve before terminating the old servers
 */
public record CreateUpgrade(
        @NotBlank String deployment, @NotNull UpgradeKind kind, ServerConfig change, boolean approvalRequired) {}
