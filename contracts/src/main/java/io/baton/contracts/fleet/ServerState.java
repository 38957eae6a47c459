package io.baton.contracts.fleet;

public enum ServerState {
    /** In the inventory, never launched. */
    DEFINED,
    PENDING,
    OPERATIONAL,
    TERMINATED
}
