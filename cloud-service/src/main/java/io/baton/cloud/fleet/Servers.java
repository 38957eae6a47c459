package io.baton.cloud.fleet;

import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The servers of the inventory and their life: created by an upgrade as DEFINED, launched (PENDING, then
 * OPERATIONAL), put back to DEFINED by an undo, or TERMINATED by the pivot; a move their life does not have is refused.
 */
@ApplicationScoped
public class Servers {

    private final Tx tx;

    public Servers(Tx tx) {
        this.tx = tx;
    }

    public Optional<ServerView> find(String id) {
        return Optional.ofNullable(tx.run(s -> s.find(ServerEntity.class, id))).map(ServerEntity::view);
    }

    /** What a new server of an upgrade is made of. */
    public record NewServer(
            String id,
            String deployment,
            String name,
            Role role,
            ServerConfig config,
            String inputs,
            String alerts,
            String replicaOf) {}

    /**
     * Adds a server to the inventory unless one with this id exists already, which is then returned as it is: a step
     * that runs again after a crash finds the server it created.
     */
    public ServerView create(String upgradeId, NewServer n) {
        return tx.run(s -> s.find(ServerEntity.class, n.id()).chain(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().item(existing);
                    }
                    ServerEntity e = ServerEntity.of(n.id(), n.deployment(), n.name(), n.role(), n.config());
                    e.state = ServerState.DEFINED;
                    e.inputs = n.inputs();
                    e.alerts = n.alerts();
                    e.replicaOf = n.replicaOf();
                    e.createdBy = upgradeId;
                    return s.persist(e)
                            .chain(() -> s.persist(ActionEntity.of(upgradeId, n.deployment(), "create", n.name())))
                            .replaceWith(e);
                }))
                .view();
    }

    /**
     * The server as a launch finds it: one launched already is returned as it is; one never launched is now being
     * launched (PENDING). Empty when it is not in the inventory.
     */
    public Optional<ServerView> launching(String id) {
        return Optional.ofNullable(tx.run(s -> s.find(ServerEntity.class, id).invoke(e -> {
                    if (e != null && e.address == null) {
                        e.moveTo(ServerState.PENDING);
                    }
                })))
                .map(ServerEntity::view);
    }

    /** The cloud gave the server this address: placed by registration, or launched by an upgrade (logged). */
    public ServerView placed(String upgradeId, String id, String address) {
        return tx.run(s -> s.find(ServerEntity.class, id).chain(e -> {
                    e.address = address;
                    return upgradeId == null
                            ? Uni.createFrom().item(e)
                            : s.persist(ActionEntity.of(upgradeId, e.deployment, "launch", e.name))
                                    .replaceWith(e);
                }))
                .view();
    }

    public ServerView operational(String id) {
        return change(id, e -> e.moveTo(ServerState.OPERATIONAL));
    }

    /** The server's instance is gone but the server stays in the inventory, as never launched (logged). */
    public void unlaunched(String upgradeId, String id) {
        changeAndLog(upgradeId, id, "terminate", e -> {
            e.moveTo(ServerState.DEFINED);
            e.address = null;
        });
    }

    /** The server's instance is gone for good (logged). */
    public void terminated(String upgradeId, String id) {
        changeAndLog(upgradeId, id, "terminate", e -> e.moveTo(ServerState.TERMINATED));
    }

    /** The pivot's last word: the new pair is the deployment's master and its slave. */
    public void promote(String masterId, String slaveId) {
        tx.run(s -> s.find(ServerEntity.class, masterId)
                .invoke(master -> {
                    master.role = Role.MASTER;
                    master.replicaOf = null;
                })
                .chain(() -> s.find(ServerEntity.class, slaveId))
                .invoke(slave -> {
                    slave.role = Role.SLAVE;
                    slave.replicaOf = masterId;
                }));
    }

    /** Removes a server the saga created. Returns false when it was already gone. */
    public boolean delete(String upgradeId, String id) {
        return tx.run(s -> s.find(ServerEntity.class, id).chain(e -> {
            if (e == null) {
                return Uni.createFrom().item(false);
            }
            // a statement, not s.remove: see Snapshots.delete
            return s.persist(ActionEntity.of(upgradeId, e.deployment, "delete", e.name))
                    .chain(() -> s.createMutationQuery("delete from ServerEntity where id = :id")
                            .setParameter("id", id)
                            .executeUpdate())
                    .replaceWith(true);
        }));
    }

    private ServerView change(String id, Consumer<ServerEntity> change) {
        return tx.run(s -> s.find(ServerEntity.class, id).invoke(change)).view();
    }

    private void changeAndLog(String upgradeId, String id, String action, Consumer<ServerEntity> change) {
        tx.run(s -> s.find(ServerEntity.class, id)
                .invoke(change)
                .chain(e -> s.persist(ActionEntity.of(upgradeId, e.deployment, action, e.name))));
    }
}
