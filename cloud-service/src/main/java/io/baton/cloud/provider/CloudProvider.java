package io.baton.cloud.provider;

import io.baton.contracts.fleet.DeploymentView;
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

    /** Starts a primary backup of a server's data. */
    void startSnapshot(ServerView server, String snapshotId) throws Exception;

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
