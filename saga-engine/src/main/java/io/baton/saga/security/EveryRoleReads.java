package io.baton.saga.security;

import io.baton.contracts.api.Roles;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whoever may change something may also look at it: a caller holding any Baton role reads as a viewer. A token with no
 * Baton role reads nothing.
 */
@ApplicationScoped
public class EveryRoleReads implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()
                || identity.hasRole(Roles.VIEWER)
                || Roles.ALL.stream().noneMatch(identity::hasRole)) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom()
                .item(QuarkusSecurityIdentity.builder(identity)
                        .addRole(Roles.VIEWER)
                        .build());
    }
}
