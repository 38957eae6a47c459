package io.baton.contracts.api;

import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/** An operator registers a deployment whose servers already run. */
public record RegisterDeployment(
        @NotBlank @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String name,
        @NotEmpty @Size(max = Limits.ENTRIES) List<@NotNull @Valid NewServer> servers,
        @Size(max = Limits.ENTRIES) List<@NotNull @Valid FirewallRule> firewallRules,
        @Size(max = Limits.ENTRIES)
                Map<
                                @Pattern(regexp = Limits.INPUT_KEY, message = Limits.INPUT_KEY_MESSAGE) String,
                                @NotNull @Size(max = Limits.TEXT) String>
                        inputs,
        @Size(max = Limits.ENTRIES) List<@NotNull @Valid NewArray> arrays) {

    /**
     * A server array of the deployment.
     *
     * @param enabled whether it may launch servers now; true when omitted
     */
    public record NewArray(
            @NotBlank @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String name,
            @Size(min = 1, max = Limits.TEXT) String serverTemplate,
            @Positive Integer templateRevision,
            Boolean enabled) {}

    /**
     * @param replicaOf for a slave, the name of its master; the deployment's master when omitted
     * @param address where it answers; a sim address is made up when omitted
     */
    public record NewServer(
            @NotBlank @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String name,
            @NotNull Role role,
            @NotNull @Valid ServerConfig config,
            @Pattern(regexp = Limits.ADDRESS, message = Limits.ADDRESS_MESSAGE) String address,
            @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String replicaOf,
            @Size(max = Limits.ENTRIES)
                    Map<
                                    @Pattern(regexp = Limits.INPUT_KEY, message = Limits.INPUT_KEY_MESSAGE) String,
                                    @NotNull @Size(max = Limits.TEXT) String>
                            inputs,
            @Size(max = Limits.ENTRIES) List<@NotNull @Size(max = Limits.TEXT) String> alerts) {}
}
