package io.baton.cloud.provider.local;

import io.baton.cloud.provider.CloudProvider;
import io.baton.common.Wait;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.local.DatabaseServers;
import io.baton.local.Engines;
import io.baton.local.Haproxy;
import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.baton.local.Sql;
import io.baton.saga.StepFailedException;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A cloud on this machine: each database server is a real PostgreSQL or MariaDB process on its own loopback address,
 * with its data under the local fleet's root; an application server is the demo application, a load balancer an
 * HAProxy in front of the application servers. A slave launched "as slave of the running master" is a real replica,
 * a backup is a real copy a new slave is later made from, and terminate stops the process and removes its data.
 * The processes outlive this service; after a restart it finds them in the root.
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.cloud.provider", stringValue = "local")
public class LocalCloudProvider implements CloudProvider {

    private static final Logger LOG = Logger.getLogger(LocalCloudProvider.class);

    private final LocalFleet fleet;

    public LocalCloudProvider(LocalFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public String launch(String deployment, ServerView server, Launch how) throws Exception {
        if (server.role() == Role.APP) {
            Instance instance = fleet.create(server.id(), server.name(), deployment, Engines.APP);
            fleet.appServers()
                    .start(
                            instance,
                            server.inputs() == null ? Map.of() : server.inputs(),
                            fleet.writePath(deployment).orElse(null));
            return instance.address();
        }
        if (server.role() == Role.LB) {
            throw new StepFailedException("the local cloud starts a deployment's load balancer when it is"
                    + " registered; " + server.name() + " cannot be launched on its own");
        }
        String engine = engineOf(server);
        Instance instance = fleet.create(server.id(), server.name(), deployment, engine);
        DatabaseServers servers = fleet.servers(instance);
        if (how.replicaOf() == null) {
            servers.initPrimary(instance);
            return instance.address();
        }
        Instance upstream = fleet.byAddress(how.replicaOf().address())
                .orElseThrow(() -> new StepFailedException(how.replicaOf().name() + " at "
                        + how.replicaOf().address() + " is not a server of the local cloud"));
        if (how.fromSnapshot() != null) {
            servers.restoreReplica(instance, fleet.backup(how.fromSnapshot()), upstream);
        } else {
            servers.initReplica(instance, upstream, copySource(instance, upstream));
        }
        return instance.address();
    }

    /** The runbook copies a new slave from the current slave, so that the master does not carry the copy. */
    private Instance copySource(Instance instance, Instance upstream) {
        if (!Engines.MARIADB.equals(instance.engine())) {
            return upstream; // pg_basebackup streams from the server whose slot the replica then uses
        }
        return fleet.replicasOf(upstream.address()).stream()
                .filter(r -> !r.id().equals(instance.id()))
                .findFirst()
                .orElse(upstream);
    }

    @Override
    public void awaitOperational(ServerView server, Duration timeout) throws Exception {
        Instance instance = instance(server);
        if (Engines.APP.equals(instance.engine())) {
            fleet.appServers().awaitUp(instance, timeout);
            return;
        }
        try {
            Wait.forThe(server.name() + " at " + instance.address() + " to accept connections", timeout)
                    .every(Duration.ofMillis(100))
                    .ignoring(SQLException.class)
                    .until(() -> Sql.one(instance, "SELECT 1") != null);
        } catch (Wait.TimedOut e) {
            throw new StepFailedException(e.getMessage() + "; its log is " + instance.log());
        }
    }

    @Override
    public List<String> test(ServerView server) throws Exception {
        Instance instance = instance(server);
        if (!Engines.APP.equals(instance.engine())) {
            return List.of(server.name() + " is not an application server; the runbook tests application servers");
        }
        return fleet.appServers()
                .test(instance, server.inputs() == null ? null : server.inputs().get("REPOSITORY_REF"));
    }

    @Override
    public void startSnapshot(ServerView server, String snapshotId, String upgradeId, boolean kept) throws Exception {
        Instance instance = instance(server);
        // taken on the server's own machine, where it stays; a server made from it later gets a copy
        fleet.servers(instance)
                .backup(instance, fleet.backupOf(instance, snapshotId).dir());
    }

    @Override
    public int snapshotProgress(String snapshotId) throws IOException {
        // the backup is taken whole by startSnapshot; one cut short by a restart is taken again
        LocalFleet.Backup backup = fleet.backup(snapshotId);
        return backup.host().exists(backup.dir().resolve(DatabaseServers.COMPLETE)) ? 100 : 0;
    }

    @Override
    public void deleteSnapshot(String snapshotId) throws IOException {
        fleet.deleteBackup(snapshotId);
    }

    @Override
    public void terminate(ServerView server) throws IOException {
        fleet.destroy(server.id());
    }

    @Override
    public Map<String, String> provision(DeploymentView deployment) throws Exception {
        Map<String, String> addresses = new LinkedHashMap<>();
        ServerView master = deployment.master().orElse(null);
        if (master != null) {
            provisionDatabases(deployment, master, addresses);
        }
        List<Haproxy.Server> backend = new ArrayList<>();
        for (ServerView s : deployment.servers()) {
            if (s.role() == Role.APP) {
                // a server runs its deployment's inputs (the code's repository and ref), then its own
                Map<String, String> inputs = new LinkedHashMap<>(deployment.inputs());
                inputs.putAll(s.inputs() == null ? Map.of() : s.inputs());
                String address = launch(
                        deployment.name(),
                        new ServerView(
                                s.id(),
                                s.name(),
                                s.role(),
                                s.config(),
                                s.state(),
                                s.address(),
                                s.replicaOf(),
                                inputs,
                                s.alerts(),
                                s.createdBy()),
                        new Launch(null, null));
                awaitOperational(withAddress(s, address), Duration.ofSeconds(60));
                addresses.put(s.id(), address);
                backend.add(new Haproxy.Server(s.name(), address, false, false));
            }
        }
        for (ServerView s : deployment.servers()) {
            if (s.role() == Role.LB) {
                Instance balancer = fleet.create(s.id(), s.name(), deployment.name(), Engines.HAPROXY);
                fleet.haproxy().start(balancer, backend);
                addresses.put(s.id(), balancer.address());
            }
        }
        LOG.infof("provisioned %s: %s", deployment.name(), addresses);
        return addresses;
    }

    private void provisionDatabases(DeploymentView deployment, ServerView master, Map<String, String> addresses)
            throws Exception {
        String masterAddress = launch(deployment.name(), master, new Launch(null, null));
        addresses.put(master.id(), masterAddress);
        Instance primary = fleet.find(master.id()).orElseThrow();
        String database = master.inputs() == null ? null : master.inputs().get("DB_NAME");
        fleet.servers(primary).createApplicationDatabase(primary, database == null ? deployment.name() : database);
        ServerView launchedMaster = withAddress(master, masterAddress);
        for (ServerView s : deployment.servers()) {
            if (s.role() == Role.SLAVE) {
                addresses.put(s.id(), launch(deployment.name(), s, new Launch(launchedMaster, null)));
            }
        }
        fleet.createWritePath(deployment.name(), primary, database == null ? deployment.name() : database);
    }

    @Override
    public void unprovision(DeploymentView deployment) throws IOException {
        fleet.destroyWritePath(deployment.name());
        List<ServerView> servers = new ArrayList<>(deployment.servers());
        java.util.Collections.reverse(servers);
        for (ServerView s : servers) {
            fleet.destroy(s.id());
        }
    }

    @Override
    public Optional<WritePathView> writePath(String deployment) throws IOException {
        var path = fleet.writePath(deployment);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new WritePathView(
                deployment,
                path.get().engine(),
                path.get().clientAddress(),
                path.get().target()));
    }

    private Instance instance(ServerView server) throws StepFailedException {
        return fleet.find(server.id())
                .orElseThrow(() -> new StepFailedException(
                        server.name() + " has no instance in the local cloud at " + fleet.root()));
    }

    private static String engineOf(ServerView server) throws StepFailedException {
        try {
            return Engines.of(server.config().engine());
        } catch (IllegalArgumentException e) {
            throw new StepFailedException(server.name() + ": " + e.getMessage());
        }
    }

    private static ServerView withAddress(ServerView s, String address) {
        return new ServerView(
                s.id(),
                s.name(),
                s.role(),
                s.config(),
                s.state(),
                address,
                s.replicaOf(),
                s.inputs(),
                s.alerts(),
                s.createdBy());
    }
}
