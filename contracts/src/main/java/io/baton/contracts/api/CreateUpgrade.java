package io.baton.contracts.api;

import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.Migration;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.UpgradeKind;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What an operator asks for.
 *
 * @param change database upgrade: the fields to change; the others stay as they are
 * @param source application upgrade: the repository and the branch, tag or commit to deploy
 * @param inputs application upgrade: deployment-level inputs to set
 * @param serverChange application upgrade: system-level changes for the new servers
 * @param migrations application upgrade: additive migrations to run first, each with its undo
 * @param sessionTtl application upgrade: how long a drain may wait for sessions to end
 * @param drainBy application upgrade: drain state (default) or removing the health-check file
 * @param smokeTest application upgrade: what to ask through the balancer at the end (default GET / answers 200)
 * @param approvalRequired wait for POST /upgrades/{id}/approve before terminating the old servers
 */
public record CreateUpgrade(
        @NotBlank String deployment,
        @NotNull UpgradeKind kind,
        ServerConfig change,
        Source source,
        Map<String, String> inputs,
        ServerConfig serverChange,
        List<Migration> migrations,
        Duration sessionTtl,
        DrainMode drainBy,
        SmokeTest smokeTest,
        boolean approvalRequired) {

    public record Source(String repository, String ref) {}
}
