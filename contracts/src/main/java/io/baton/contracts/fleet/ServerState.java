package io.baton.contracts.fleet;

import java.util.EnumSet;
import java.util.Set;

/** The life of a server in the inventory, with the moves an upgrade may make. */
public enum ServerState {
    /** In the inventory, never launched (or launched and terminated again by an undo). */
    DEFINED,
    PENDING,
    OPERATIONAL,
    TERMINATED;

    /** Whether a server in this state may move to {@code next}; staying where it is is always allowed. */
    public boolean canMoveTo(ServerState next) {
        return this == next || allowed().contains(next);
    }

    private Set<ServerState> allowed() {
        return switch (this) {
            case DEFINED -> EnumSet.of(PENDING);
            case PENDING -> EnumSet.of(OPERATIONAL, DEFINED);
            case OPERATIONAL -> EnumSet.of(DEFINED, TERMINATED);
            case TERMINATED -> EnumSet.noneOf(ServerState.class);
        };
    }
}
