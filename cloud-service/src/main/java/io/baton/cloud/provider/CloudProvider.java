package io.baton.cloud.provider;

import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The instance actions of a cloud. Every method is idempotent: called again for the same server or snapshot after a
 * crash, it finds what it did before instead of doing it twice.
 */
public interface CloudProvider {

    /**
     * How a server starts.
     *
     * @param replicaOf when set, the new server initialises itself as a slave of this running master at boot
     * @param fromSnapshot when set, the server's data comes from this primary backup
     */
    record Launch(ServerView replicaOf, String fromSnapshot) {}

    /** Starts the instance of a server of {@code deployment} and returns the address it answers on. */
    String launch(String deployment, ServerView server, Launch how) throws Exception;

    /** Returns once the instance is operational; throws when it is not within {@code timeout}. */
    void awaitOperational(ServerView server, Duration timeout) throws Exception;

    /**
     * Tests a launched application server as the runbook does: it answers its health check and reaches the
     * database. Returns what failed, nothing when it passed.
     */
    List<String> test(ServerView server) throws Exception;

    /**
     * Starts a primary backup of a server's data.
     *
     * @param upgradeId the upgrade that takes it
     * @param kept whether it stays after the upgrade whatever its outcome (the backup before migrations does), so
     *     that a sweep after a rollback leaves it
     */
    void startSnapshot(ServerView server, String snapshotId, String upgradeId, boolean kept) throws Exception;

    /** Percent done, 0 to 100. */
    int snapshotProgress(String snapshotId) throws Exception;

    void deleteSnapshot(String snapshotId) throws Exception;

    /** Stops the instance for good and removes its data. */
    void terminate(ServerView server) throws Exception;

    /**
     * Places the servers of a newly registered deployment, and returns the address each answers on by server id: a
     * cloud that runs real servers starts them. Fails, leaving nothing running, when a server cannot be started.
     */
    Map<String, String> provision(DeploymentView deployment) throws Exception;

    /** Removes what {@link #provision} made for a deployment that could not be registered. */
    default void unprovision(DeploymentView deployment) throws Exception {}

    /**
     * The rules of the cloud's own firewall that admit TCP on {@code port} into the named security groups, when the
     * cloud has one to ask; empty to use the rules registered with the deployment.
     */
    default Optional<List<FirewallRule>> firewallRules(List<String> securityGroups, int port) throws Exception {
        return Optional.empty();
    }

    /**
     * Makes the cloud's own server arrays (such as Auto Scaling groups) match the inventory's: enabled or not, and
     * the template revision they launch from. Nothing to do where the inventory is the array.
     */
    default void syncArrays(String deployment, List<ServerArrayView> arrays) throws Exception {}

    /**
     * After a rollback: removes anything the upgrade made that is still there (an instance launched just before a
     * crash, say), found by the cloud's own labels; keeps the backups kept by design. Returns what it removed.
     */
    default List<String> sweep(String deployment, String upgradeId) throws Exception {
        return List.of();
    }

    /** Where the deployment's applications send their writes, when this cloud runs a write path for it. */
    default Optional<WritePathView> writePath(String deployment) throws Exception {
        return Optional.empty();
    }

    /**
     * @param address where applications connect (a PgBouncer for PostgreSQL; the master itself for MariaDB)
     * @param master the master writes reach now
     */
    record WritePathView(String deployment, String engine, String address, String master) {}
}
