package io.baton.contracts.api;

import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Map;

/** An operator registers a deployment whose servers already run. */
public record RegisterDeployment(
        @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "use lowercase letters, digits and dashes")
                String name,
        @NotEmpty List<@Valid NewServer> servers,
        List<@Valid FirewallRule> firewallRules,
        Map<String, String> inputs,
        List<@Valid NewArray> arrays) {

    /**
     * A server array of the deployment.
     *
     * @param enabled whether it may launch servers now; true when omitted
     */
    public record NewArray(@NotBlank String name, String serverTemplate, Integer templateRevision, Boolean enabled) {}

    /**
     * @param replicaOf for a slave, the name of its master; the deployment's master when omitted
     * @param address where it answers; a sim address is made up when omitted
     */
    public record NewServer(
            @NotBlank String name,
            @NotNull Role role,
            @NotNull ServerConfig config,
            String address,
            String replicaOf,
            Map<String, String> inputs,
            List<String> alerts) {}
}
