package io.baton.cloud.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.cloud.api.RegisterDeployment;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.Tx;
import io.baton.saga.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/** The inventory: deployments, servers, snapshots and the log of actions, in cloud-service's own database. */
@ApplicationScoped
public class Fleet {

    public record Action(String upgradeId, String action, String target, Instant at) {}

    private final Tx tx;

    public Fleet(Tx tx) {
        this.tx = tx;
    }

    public DeploymentView register(RegisterDeployment request) {
        List<String> errors = problems(request);
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest("The deployment's servers do not form a valid fleet.", errors);
        }
        tx.run(s -> s.find(DeploymentEntity.class, request.name()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom()
                        .<Void>failure(ProblemException.conflict(
                                "deployment-exists",
                                "Deployment already registered",
                                "A deployment named '" + request.name()
                                        + "' is already registered; choose another name."));
            }
            DeploymentEntity deployment = new DeploymentEntity();
            deployment.name = request.name();
            deployment.inputs = Json.write(request.inputs() == null ? Map.of() : request.inputs());
            deployment.firewallRules =
                    Json.write(request.firewallRules() == null ? List.of() : request.firewallRules());
            deployment.createdAt = Instant.now();
            List<ServerEntity> servers = new ArrayList<>();
            for (RegisterDeployment.NewServer n : request.servers()) {
                ServerEntity e = entity(UUID.randomUUID().toString(), request.name(), n.name(), n.role(), n.config());
                e.state = ServerState.OPERATIONAL;
                e.address = n.address() != null ? n.address() : simAddress(n.name(), request.name(), n.config());
                e.inputs = Json.write(n.inputs() == null ? Map.of() : n.inputs());
                e.alerts = Json.write(n.alerts() == null ? List.of() : n.alerts());
                servers.add(e);
            }
            ServerEntity master = servers.stream()
                    .filter(e -> e.role == Role.MASTER)
                    .findFirst()
                    .orElse(null);
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
            List<Object> rows = new ArrayList<>(servers);
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
        return deployment(request.name()).orElseThrow();
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

    /** Where a sim server "answers": a name, never an address anything could connect to. */
    public static String simAddress(String server, String deployment, ServerConfig config) {
        int port = "mariadb".equals(config.engine()) ? 3306 : "postgresql".equals(config.engine()) ? 5432 : 80;
        return server + "." + deployment + ".sim:" + port;
    }

    public Optional<DeploymentView> deployment(String name) {
        return Optional.ofNullable(
                tx.run(s -> s.find(DeploymentEntity.class, name).chain(d -> {
                    if (d == null) {
                        return Uni.createFrom().nullItem();
                    }
                    return s.createQuery(
                                    "from ServerEntity where deployment = :d order by createdAt, name",
                                    ServerEntity.class)
                            .setParameter("d", name)
                            .getResultList()
                            .chain(servers -> s.createQuery(
                                            "from ServerArrayEntity where deployment = :d order by name",
                                            ServerArrayEntity.class)
                                    .setParameter("d", name)
                                    .getResultList()
                                    .map(arrays -> view(d, servers, arrays)));
                })));
    }

    public List<String> names() {
        return tx.run(s -> s.createQuery("select name from DeploymentEntity order by name", String.class)
                .getResultList());
    }

    public Optional<ServerView> server(String id) {
        return Optional.ofNullable(tx.run(s -> s.find(ServerEntity.class, id))).map(Fleet::view);
    }

    /**
     * Adds a server to the inventory unless one with this id exists already, which is then returned as it is: a
     * step that runs again after a crash finds the server it created.
     */
    public ServerView createServer(
            String upgradeId,
            String id,
            String deployment,
            String name,
            Role role,
            ServerConfig config,
            String inputs,
            String alerts,
            String replicaOf) {
        return view(tx.run(s -> s.find(ServerEntity.class, id).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            ServerEntity e = entity(id, deployment, name, role, config);
            e.state = ServerState.DEFINED;
            e.inputs = inputs;
            e.alerts = alerts;
            e.replicaOf = replicaOf;
            e.createdBy = upgradeId;
            return s.persist(e)
                    .chain(() -> s.persist(action(upgradeId, deployment, "create", name)))
                    .replaceWith(e);
        })));
    }

    public ServerView update(String id, Consumer<ServerEntity> change) {
        return view(tx.run(s -> s.find(ServerEntity.class, id).invoke(change)));
    }

    /** Removes a server the saga created. Returns false when it was already gone. */
    public boolean delete(String upgradeId, String id) {
        return tx.run(s -> s.find(ServerEntity.class, id).chain(e -> {
            if (e == null) {
                return Uni.createFrom().item(false);
            }
            return s.remove(e)
                    .chain(() -> s.persist(action(upgradeId, e.deployment, "delete", e.name)))
                    .replaceWith(true);
        }));
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

    public void log(String upgradeId, String deployment, String action, String target) {
        tx.run(s -> s.persist(action(upgradeId, deployment, action, target)));
    }

    public List<Action> actions(String upgradeId) {
        return tx
                .run(s -> s.createQuery("from ActionEntity where upgradeId = :u order by id", ActionEntity.class)
                        .setParameter("u", upgradeId)
                        .getResultList())
                .stream()
                .map(a -> new Action(a.upgradeId, a.action, a.target, a.at))
                .toList();
    }

    public SnapshotEntity snapshot(String id) {
        return tx.run(s -> s.find(SnapshotEntity.class, id));
    }

    public SnapshotEntity createSnapshot(String upgradeId, String id, String deployment, String serverId) {
        return tx.run(s -> s.find(SnapshotEntity.class, id).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            SnapshotEntity snapshot = new SnapshotEntity();
            snapshot.id = id;
            snapshot.deployment = deployment;
            snapshot.serverId = serverId;
            snapshot.createdBy = upgradeId;
            snapshot.createdAt = Instant.now();
            return s.persist(snapshot)
                    .chain(() -> s.persist(action(upgradeId, deployment, "snapshot", id)))
                    .replaceWith(snapshot);
        }));
    }

    public void snapshotProgress(String id, int progress) {
        tx.run(s -> s.find(SnapshotEntity.class, id).invoke(snapshot -> {
            snapshot.progress = progress;
            if (progress >= 100 && snapshot.completedAt == null) {
                snapshot.completedAt = Instant.now();
            }
        }));
    }

    public boolean deleteSnapshot(String upgradeId, String id) {
        return tx.run(s -> s.find(SnapshotEntity.class, id).chain(snapshot -> {
            if (snapshot == null) {
                return Uni.createFrom().item(false);
            }
            return s.remove(snapshot)
                    .chain(() -> s.persist(action(upgradeId, snapshot.deployment, "delete-snapshot", id)))
                    .replaceWith(true);
        }));
    }

    /**
     * Keeps a copy of the deployment's inputs for this upgrade. A copy taken already is kept as it is: run again
     * after a crash, the step must not save inputs that the upgrade itself may have changed since.
     */
    public String saveInputs(String upgradeId, String deployment) {
        return tx.run(s -> s.find(InputsBackupEntity.class, upgradeId).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing.csv);
            }
            return s.find(DeploymentEntity.class, deployment).chain(d -> {
                InputsBackupEntity backup = new InputsBackupEntity();
                backup.upgradeId = upgradeId;
                backup.deployment = deployment;
                backup.csv = InputsCsv.write(Json.read(d.inputs, new TypeReference<Map<String, String>>() {}));
                backup.savedAt = Instant.now();
                return s.persist(backup)
                        .chain(() -> s.persist(action(upgradeId, deployment, "save-inputs", deployment)))
                        .replaceWith(backup.csv);
            });
        }));
    }

    /** The copy of the inputs saved for an upgrade, if it saved one. */
    public Optional<String> savedInputs(String upgradeId) {
        return Optional.ofNullable(tx.run(s -> s.find(InputsBackupEntity.class, upgradeId)))
                .map(backup -> backup.csv);
    }

    /** Sets deployment-level inputs; inputs not named keep their values. */
    public Map<String, String> setInputs(String upgradeId, String deployment, Map<String, String> values) {
        return tx.run(s -> s.find(DeploymentEntity.class, deployment).chain(d -> {
            Map<String, String> inputs =
                    new java.util.TreeMap<>(Json.read(d.inputs, new TypeReference<Map<String, String>>() {}));
            inputs.putAll(values);
            d.inputs = Json.write(inputs);
            return s.persist(action(upgradeId, deployment, "set-inputs", String.join(",", values.keySet())))
                    .replaceWith(Map.copyOf(inputs));
        }));
    }

    /** Puts back the inputs saved for this upgrade, all of them; does nothing when none were saved. */
    public boolean restoreInputs(String upgradeId) {
        return tx.run(s -> s.find(InputsBackupEntity.class, upgradeId).chain(backup -> {
            if (backup == null) {
                return Uni.createFrom().item(false);
            }
            return s.find(DeploymentEntity.class, backup.deployment).chain(d -> {
                d.inputs = Json.write(InputsCsv.read(backup.csv));
                return s.persist(action(upgradeId, backup.deployment, "restore-inputs", backup.deployment))
                        .replaceWith(true);
            });
        }));
    }

    /**
     * Changes every server array of the deployment for one step of an upgrade, first keeping each array as it was;
     * run again, the step keeps the first copy, which is the one its undo must put back.
     */
    public List<String> changeArrays(
            String upgradeId, String step, String deployment, Consumer<ServerArrayEntity> change) {
        return tx.run(s -> s.createQuery(
                        "from ServerArrayEntity where deployment = :d order by name", ServerArrayEntity.class)
                .setParameter("d", deployment)
                .getResultList()
                .chain(arrays -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ServerArrayEntity array : arrays) {
                        String key = upgradeId + "/" + step + "/" + array.id;
                        chain = chain.chain(
                                () -> s.find(ArrayChangeEntity.class, key).chain(kept -> {
                                    Uni<Void> keep = Uni.createFrom().voidItem();
                                    if (kept == null) {
                                        ArrayChangeEntity before = new ArrayChangeEntity();
                                        before.id = key;
                                        before.arrayId = array.id;
                                        before.serverTemplate = array.serverTemplate;
                                        before.templateRevision = array.templateRevision;
                                        before.enabled = array.enabled;
                                        keep = s.persist(before);
                                    }
                                    change.accept(array);
                                    return keep.chain(() ->
                                            s.persist(action(upgradeId, deployment, step.toLowerCase(), array.name)));
                                }));
                    }
                    return chain.replaceWith(arrays.stream().map(x -> x.name).toList());
                }));
    }

    /** Puts back the arrays one step of an upgrade changed, as they were before it. */
    public void restoreArrays(String upgradeId, String step, String deployment) {
        tx.run(s -> s.createQuery("from ArrayChangeEntity where id like :prefix", ArrayChangeEntity.class)
                .setParameter("prefix", upgradeId + "/" + step + "/%")
                .getResultList()
                .chain(kept -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ArrayChangeEntity before : kept) {
                        chain = chain.chain(() -> s.find(ServerArrayEntity.class, before.arrayId)
                                .chain(array -> {
                                    if (array == null) {
                                        return Uni.createFrom().voidItem();
                                    }
                                    array.serverTemplate = before.serverTemplate;
                                    array.templateRevision = before.templateRevision;
                                    array.enabled = before.enabled;
                                    return s.persist(action(upgradeId, deployment, "restore-array", array.name));
                                }));
                    }
                    return chain;
                }));
    }

    public List<SnapshotEntity> snapshots(String deployment) {
        return tx.run(
                s -> s.createQuery("from SnapshotEntity where deployment = :d order by createdAt", SnapshotEntity.class)
                        .setParameter("d", deployment)
                        .getResultList());
    }

    private static ActionEntity action(String upgradeId, String deployment, String action, String target) {
        ActionEntity a = new ActionEntity();
        a.upgradeId = upgradeId;
        a.deployment = deployment;
        a.action = action;
        a.target = target;
        a.at = Instant.now();
        return a;
    }

    private static ServerEntity entity(String id, String deployment, String name, Role role, ServerConfig c) {
        ServerEntity e = new ServerEntity();
        e.id = id;
        e.deployment = deployment;
        e.name = name;
        e.role = role;
        e.serverTemplate = c.serverTemplate();
        e.templateRevision = c.templateRevision();
        e.cloud = c.cloud();
        e.region = c.region();
        e.zone = c.zone();
        e.instanceSize = c.instanceSize();
        e.securityGroups = c.securityGroups() == null ? null : String.join(",", c.securityGroups());
        e.sshKey = c.sshKey();
        e.image = c.image();
        e.engine = c.engine();
        e.createdAt = Instant.now();
        return e;
    }

    public static ServerConfig config(ServerEntity e) {
        return new ServerConfig(
                e.serverTemplate,
                e.templateRevision,
                e.cloud,
                e.region,
                e.zone,
                e.instanceSize,
                e.securityGroups == null || e.securityGroups.isBlank()
                        ? List.of()
                        : Arrays.asList(e.securityGroups.split(",")),
                e.sshKey,
                e.image,
                e.engine);
    }

    static ServerView view(ServerEntity e) {
        if (e == null) {
            return null;
        }
        return new ServerView(
                e.id,
                e.name,
                e.role,
                config(e),
                e.state,
                e.address,
                e.replicaOf,
                Json.read(e.inputs == null ? "{}" : e.inputs, new TypeReference<Map<String, String>>() {}),
                Json.read(e.alerts == null ? "[]" : e.alerts, new TypeReference<List<String>>() {}),
                e.createdBy);
    }

    private static DeploymentView view(DeploymentEntity d, List<ServerEntity> servers, List<ServerArrayEntity> arrays) {
        return new DeploymentView(
                d.name,
                servers.stream().map(Fleet::view).toList(),
                Json.read(d.firewallRules, new TypeReference<List<FirewallRule>>() {}),
                Json.read(d.inputs, new TypeReference<Map<String, String>>() {}),
                arrays.stream()
                        .map(x -> new ServerArrayView(x.name, x.serverTemplate, x.templateRevision, x.enabled))
                        .toList());
    }
}
