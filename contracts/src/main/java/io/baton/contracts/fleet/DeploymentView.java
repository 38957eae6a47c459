package io.baton.contracts.fleet;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A deployment and its servers; terminated servers are listed too, with their state. */
public record DeploymentView(
        String name,
        List<ServerView> servers,
        List<FirewallRule> firewallRules,
        Map<String, String> inputs,
        List<ServerArrayView> arrays) {

    public DeploymentView {
        arrays = arrays == null ? List.of() : List.copyOf(arrays);
    }

    /** A server of the deployment by its id, terminated or not. */
    public Optional<ServerView> server(String id) {
        return servers.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The running database master. */
    public Optional<ServerView> master() {
        return servers.stream()
                .filter(s -> s.role() == Role.MASTER && s.state() != ServerState.TERMINATED)
                .findFirst();
    }

    /** The running slave of the master, if there is one. */
    public Optional<ServerView> slave() {
        return master().flatMap(m -> servers.stream()
                .filter(s -> s.role() == Role.SLAVE && s.state() != ServerState.TERMINATED)
                .filter(s -> m.id().equals(s.replicaOf()))
                .findFirst());
    }

    public List<ServerView> running(Role role) {
        return servers.stream()
                .filter(s -> s.role() == role && s.state() != ServerState.TERMINATED)
                .toList();
    }
}
