package io.baton.contracts.fleet;

/**
 * A server array: a group of application servers that scales itself from a template while it is enabled.
 *
 * @param enabled whether the array may launch servers; an upgrade disables it while servers are replaced
 */
public record ServerArrayView(String name, String serverTemplate, Integer templateRevision, boolean enabled) {}
