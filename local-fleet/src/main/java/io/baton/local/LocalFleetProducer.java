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
            @ConfigProperty(name = "baton.local.app-classpath") java.util.Optional<String> appClasspath,
            @ConfigProperty(name = "baton.local.ssh.target") java.util.Optional<String> sshTarget,
            @ConfigProperty(name = "baton.local.ssh.key") java.util.Optional<Path> sshKey,
            @ConfigProperty(name = "baton.local.ssh.known-hosts") java.util.Optional<Path> knownHosts,
            @ConfigProperty(name = "baton.local.ssh.connect-timeout") java.time.Duration connectTimeout)
            throws IOException {
        Host host = LocalHost.INSTANCE;
        if (sshTarget.isPresent()) {
            host = new SshHost(SshHost.Target.parse(
                    sshTarget.get(),
                    sshKey.orElseThrow(() -> new IllegalArgumentException(
                            "baton.local.ssh.target is set: baton.local.ssh.key must name the private key to sign in"
                                    + " with")),
                    knownHosts.orElseThrow(() -> new IllegalArgumentException(
                            "baton.local.ssh.target is set: baton.local.ssh.known-hosts must name a known-hosts file"
                                    + " with the host's key (an unknown host is refused)")),
                    connectTimeout));
        }
        LocalFleet fleet = new LocalFleet(
                root, new LocalFleet.Settings(postgresBin, postgresUser, mariadbUser, appClasspath.orElse(null)), host);
        fleet.prepare();
        return fleet;
    }

    void close(@jakarta.enterprise.inject.Disposes LocalFleet fleet) {
        fleet.host().close();
    }
}
