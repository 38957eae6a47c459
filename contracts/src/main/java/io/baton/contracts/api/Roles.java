package io.baton.contracts.api;

import java.util.List;

/**
 * The roles a bearer token's {@code groups} claim grants. Reading needs any one of them; each change needs its own.
 * A person usually holds several (an on-call SRE: viewer, operator, approver).
 */
public final class Roles {

    /** Reads upgrades, timelines, the inventory, replication, migrations and balancers. */
    public static final String VIEWER = "viewer";
    /** Starts upgrades (dry runs too) and aborts them. */
    public static final String OPERATOR = "operator";
    /** Approves an upgrade waiting at its approval gate. */
    public static final String APPROVER = "approver";
    /** With operator: starts a major upgrade that imports a server template (the runbook's 'library' privilege). */
    public static final String LIBRARY = "library";
    /** Registers deployments and injects faults where fault injection is on. */
    public static final String ADMIN = "admin";

    public static final List<String> ALL = List.of(VIEWER, OPERATOR, APPROVER, LIBRARY, ADMIN);

    private Roles() {}
}
