package io.baton.local;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The local fleet of a service, at the root its configuration names ({@code baton.local.*}). */
public class LocalFleetProducer {

    @Produces
    @ApplicationScoped
    LocalFleet fleet(
            @ConfigProperty(name = "baton.local.root") Path root,
            @ConfigProperty(name = "baton.local.postgres-bin") Path postgresBin,
            @ConfigProperty(name = "baton.local.postgres-user") String postgresUser,
            @ConfigProperty(name = "baton.local.mariadb-user") String mariadbUser,
            @ConfigProperty(name = "baton.local.app-classpath") java.util.Optional<String> appClasspath)
            throws IOException {
        LocalFleet fleet = new LocalFleet(
                root, new LocalFleet.Settings(postgresBin, postgresUser, mariadbUser, appClasspath.orElse(null)));
        fleet.prepare();
        return fleet;
    }
}
