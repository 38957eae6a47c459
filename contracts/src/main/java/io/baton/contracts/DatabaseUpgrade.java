package io.baton.contracts;

/**
 * What a database upgrade does.
 *
 * @param change the fields the operator asked to change (null = keep)
 * @param target the configuration the new servers get: the current one with the change applied
 */
public record DatabaseUpgrade(
        Classification classification, String reason, ServerConfig change, ServerConfig target, Topology topology) {}
