package io.baton.contracts.api;

import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.Migration;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.UpgradeKind;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
        @NotBlank @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String deployment,
        @NotNull UpgradeKind kind,
        @Valid ServerConfig change,
        @Valid Source source,
        @Size(max = Limits.ENTRIES)
                Map<
                                @Pattern(regexp = Limits.INPUT_KEY, message = Limits.INPUT_KEY_MESSAGE) String,
                                @NotNull @Size(max = Limits.TEXT) String>
                        inputs,
        @Valid ServerConfig serverChange,
        @Size(max = Limits.ENTRIES) List<@NotNull @Valid Migration> migrations,
        Duration sessionTtl,
        DrainMode drainBy,
        @Valid SmokeTest smokeTest,
        boolean approvalRequired) {

    /** The longest a drain may be allowed to wait for sessions. */
    public static final Duration LONGEST_SESSION_TTL = Duration.ofHours(24);

    public record Source(@Size(max = Limits.TEXT) String repository, @Size(max = Limits.TEXT) String ref) {}
}
