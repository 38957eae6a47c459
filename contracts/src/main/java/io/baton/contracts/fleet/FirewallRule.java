package io.baton.contracts.fleet;

import io.baton.contracts.api.Limits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Traffic that a security group accepts.
 *
 * @param source the security group the traffic comes from, or {@code 0.0.0.0/0} for anywhere
 */
public record FirewallRule(
        @NotBlank @Size(max = Limits.TEXT) String securityGroup,
        @Min(1) @Max(65535) int port,
        @NotBlank @Size(max = Limits.TEXT) String source) {}
