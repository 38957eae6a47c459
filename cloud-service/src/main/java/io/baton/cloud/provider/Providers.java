package io.baton.cloud.provider;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The provider chosen by {@code baton.cloud.provider}; each implementation declares its name with LookupIfProperty. */
@ApplicationScoped
public class Providers {

    private final Instance<CloudProvider> providers;
    private final String name;

    public Providers(Instance<CloudProvider> providers, @ConfigProperty(name = "baton.cloud.provider") String name) {
        this.providers = providers;
        this.name = name;
    }

    public CloudProvider current() {
        if (!providers.isResolvable()) {
            throw new IllegalStateException(
                    "baton.cloud.provider=" + name + " names no cloud provider; use sim or local");
        }
        return providers.get();
    }
}
