package io.baton.saga.security;

import io.quarkus.security.identity.SecurityIdentity;

/** Who made a request, as the audit records it: the token's name (upn, preferred_username or sub). */
public final class Caller {

    private Caller() {}

    public static String name(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            throw new IllegalStateException("an audited command ran without a signed-in caller");
        }
        return identity.getPrincipal().getName();
    }
}
