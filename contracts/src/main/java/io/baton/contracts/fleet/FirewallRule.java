package io.baton.contracts.fleet;

/**
 * Traffic that a security group accepts.
 *
 * @param source the security group the traffic comes from, or {@code 0.0.0.0/0} for anywhere
 */
public record FirewallRule(String securityGroup, int port, String source) {}
