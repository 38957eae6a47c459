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
            @ConfigProperty(name = "baton.local.ssh.connect-timeout") java.time.Duration connectTimeout,
            @ConfigProperty(name = "baton.local.machines") java.util.Optional<java.util.List<String>> machineList,
            @ConfigProperty(name = "baton.local.machine-root") Path machineRoot,
            @ConfigProperty(name = "baton.local.client-networks") java.util.List<String> clientNetworks)
            throws IOException {
        Host host = LocalHost.INSTANCE;
        if (sshTarget.isPresent()) {
            host = new SshHost(SshHost.Target.parse(
                    sshTarget.get(),
                    required(sshKey, "baton.local.ssh.target"),
                    requiredKnownHosts(knownHosts, "baton.local.ssh.target"),
                    connectTimeout));
        }
        java.util.List<Machine> machines = java.util.List.of();
        if (machineList.isPresent() && !machineList.get().isEmpty()) {
            machines = Machine.connectAll(
                    machineList.get(),
                    machineRoot,
                    required(sshKey, "baton.local.machines"),
                    requiredKnownHosts(knownHosts, "baton.local.machines"),
                    connectTimeout);
        }
        LocalFleet fleet = new LocalFleet(
                root,
                new LocalFleet.Settings(
                        postgresBin, postgresUser, mariadbUser, appClasspath.orElse(null), clientNetworks),
                host,
                machines);
        fleet.prepare();
        return fleet;
    }

    private static Path required(java.util.Optional<Path> key, String because) {
        return key.orElseThrow(() -> new IllegalArgumentException(
                because + " is set: baton.local.ssh.key must name the private key to sign in with"));
    }

    private static Path requiredKnownHosts(java.util.Optional<Path> knownHosts, String because) {
        return knownHosts.orElseThrow(() -> new IllegalArgumentException(because + " is set:"
                + " baton.local.ssh.known-hosts must name a known-hosts file with the hosts' keys (an unknown host is"
                + " refused)"));
    }

    void close(@jakarta.enterprise.inject.Disposes LocalFleet fleet) {
        fleet.host().close();
        fleet.machines().forEach(m -> m.host().close());
    }
}
