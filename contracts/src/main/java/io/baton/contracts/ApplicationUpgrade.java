package io.baton.contracts;

import io.baton.contracts.api.Limits;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What an application upgrade does.
 *
 * @param repository where the new application code comes from
 * @param ref branch, tag or commit
 * @param inputs deployment-level inputs to set (they apply to servers launched afterwards)
 * @param serverChange system-level changes for the new servers (null fields: as the cloned server)
 * @param migrations additive schema changes run before the new servers start, in order
 * @param sessionTtl how long the drain may wait for the old servers' sessions to end
 * @param drainBy how old servers stop taking new sessions
 * @param smokeTest what to ask the balancer once the new servers take all traffic
 */
public record ApplicationUpgrade(
        String repository,
        String ref,
        Map<String, String> inputs,
        ServerConfig serverChange,
        List<Migration> migrations,
        Duration sessionTtl,
        DrainMode drainBy,
        SmokeTest smokeTest) {

    public enum DrainMode {
        /** HAProxy's drain state: no new sessions, existing ones kept. */
        DRAIN_STATE,
        /** Remove the health-check file on the server, as the runbook does: the check fails, sessions stay. */
        HEALTH_CHECK_FILE
    }

    public record SmokeTest(@Size(max = Limits.TEXT) String path, int expectedStatus) {}
}
