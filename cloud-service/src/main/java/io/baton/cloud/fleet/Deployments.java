package io.baton.cloud.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.contracts.api.RegisterDeployment;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerState;
import io.baton.saga.Failures;
import io.baton.saga.Tx;
import io.baton.saga.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The deployments of the inventory: registered by an operator with servers that run, then read by every step. */
@ApplicationScoped
public class Deployments {

    private final Tx tx;

    public Deployments(Tx tx) {
        this.tx = tx;
    }

    /** Records a deployment and its servers (OPERATIONAL, where the request says they answer) and arrays. */
    public DeploymentView register(RegisterDeployment request) {
        List<String> errors = problems(request);
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest("The deployment's servers do not form a valid fleet.", errors);
        }
        ProblemException exists = ProblemException.conflict(
                "deployment-exists",
                "Deployment already registered",
                "A deployment named '" + request.name() + "' is already registered; choose another name.");
        try {
            insert(request, exists);
        } catch (RuntimeException e) {
            // two registrations of one name at once: the second insert meets the first one's key
            if (Failures.isUniqueViolation(e)) {
                throw exists;
            }
            throw e;
        }
        return deployment(request.name()).orElseThrow();
    }

    private void insert(RegisterDeployment request, ProblemException exists) {
        tx.run(s -> s.find(DeploymentEntity.class, request.name()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().<Void>failure(exists);
            }
            DeploymentEntity deployment = new DeploymentEntity();
            deployment.name = request.name();
            deployment.inputs = Json.write(request.inputs() == null ? Map.of() : request.inputs());
            deployment.firewallRules =
                    Json.write(request.firewallRules() == null ? List.of() : request.firewallRules());
            deployment.createdAt = Instant.now();
            List<Object> rows = new ArrayList<>(servers(request));
            for (RegisterDeployment.NewArray a :
                    request.arrays() == null ? List.<RegisterDeployment.NewArray>of() : request.arrays()) {
                ServerArrayEntity array = new ServerArrayEntity();
                array.id = request.name() + "/" + a.name();
                array.deployment = request.name();
                array.name = a.name();
                array.serverTemplate = a.serverTemplate();
                array.templateRevision = a.templateRevision();
                array.enabled = a.enabled() == null || a.enabled();
                rows.add(array);
            }
            return s.persist(deployment).chain(() -> s.persistAll(rows.toArray()));
        }));
    }

    private static List<ServerEntity> servers(RegisterDeployment request) {
        List<ServerEntity> servers = new ArrayList<>();
        for (RegisterDeployment.NewServer n : request.servers()) {
            ServerEntity e =
                    ServerEntity.of(UUID.randomUUID().toString(), request.name(), n.name(), n.role(), n.config());
            e.state = ServerState.OPERATIONAL;
            e.address = n.address();
            e.inputs = Json.write(n.inputs() == null ? Map.of() : n.inputs());
            e.alerts = Json.write(n.alerts() == null ? List.of() : n.alerts());
            servers.add(e);
        }
        ServerEntity master =
                servers.stream().filter(e -> e.role == Role.MASTER).findFirst().orElse(null);
        for (int i = 0; i < servers.size(); i++) {
            ServerEntity e = servers.get(i);
            if (e.role == Role.SLAVE && master != null) {
                String wanted = request.servers().get(i).replicaOf();
                e.replicaOf = servers.stream()
                        .filter(m -> wanted == null ? m == master : m.name.equals(wanted))
                        .map(m -> m.id)
                        .findFirst()
                        .orElse(master.id);
            }
        }
        return servers;
    }

    private static List<String> problems(RegisterDeployment request) {
        List<String> errors = new ArrayList<>();
        long masters =
                request.servers().stream().filter(n -> n.role() == Role.MASTER).count();
        long slaves =
                request.servers().stream().filter(n -> n.role() == Role.SLAVE).count();
        if (masters > 1) {
            errors.add("servers: a deployment has at most one MASTER, found " + masters);
        }
        if (slaves > 0 && masters == 0) {
            errors.add("servers: SLAVE servers need a MASTER to replicate from");
        }
        List<String> names = request.servers().stream()
                .map(RegisterDeployment.NewServer::name)
                .toList();
        if (names.stream().distinct().count() != names.size()) {
            errors.add("servers: server names must be unique within the deployment");
        }
        for (RegisterDeployment.NewServer n : request.servers()) {
            if (n.replicaOf() != null && !names.contains(n.replicaOf())) {
                errors.add("servers." + n.name() + ".replicaOf: no server named '" + n.replicaOf() + "'");
            }
        }
        return errors;
    }

    public Optional<DeploymentView> deployment(String name) {
        return Optional.ofNullable(
                tx.run(s -> s.find(DeploymentEntity.class, name).chain(d -> {
                    if (d == null) {
                        return Uni.createFrom().nullItem();
                    }
                    return s.createSelectionQuery(
                                    "from ServerEntity where deployment = :d order by createdAt, name",
                                    ServerEntity.class)
                            .setParameter("d", name)
                            .getResultList()
                            .chain(servers -> s.createSelectionQuery(
                                            "from ServerArrayEntity where deployment = :d order by name",
                                            ServerArrayEntity.class)
                                    .setParameter("d", name)
                                    .getResultList()
                                    .map(arrays -> view(d, servers, arrays)));
                })));
    }

    public List<String> names() {
        return tx.run(s -> s.createSelectionQuery("select name from DeploymentEntity order by name", String.class)
                .getResultList());
    }

    /** Removes a deployment whose registration could not be completed, with its servers and arrays. */
    public void forget(String deployment) {
        tx.run(s -> s.createMutationQuery("delete from ServerEntity where deployment = :d")
                .setParameter("d", deployment)
                .executeUpdate()
                .chain(() -> s.createMutationQuery("delete from ServerArrayEntity where deployment = :d")
                        .setParameter("d", deployment)
                        .executeUpdate())
                .chain(() -> s.createMutationQuery("delete from DeploymentEntity where name = :d")
                        .setParameter("d", deployment)
                        .executeUpdate()));
    }

    private static DeploymentView view(DeploymentEntity d, List<ServerEntity> servers, List<ServerArrayEntity> arrays) {
        return new DeploymentView(
                d.name,
                servers.stream().map(ServerEntity::view).toList(),
                Json.read(d.firewallRules, new TypeReference<List<FirewallRule>>() {}),
                Json.read(d.inputs, new TypeReference<Map<String, String>>() {}),
                arrays.stream()
                        .map(x -> new ServerArrayView(x.name, x.serverTemplate, x.templateRevision, x.enabled))
                        .toList());
    }
}
