package io.baton.db.replication;

import io.baton.local.Engines;
import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.baton.local.Sql;
import io.baton.saga.StepFailedException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the drivers of real servers share: the local cloud's servers and the record of every switchover. */
public abstract class LocalReplication implements ReplicationDriver {

    protected final LocalFleet fleet;
    protected final Switchovers switchovers;

    protected LocalReplication(LocalFleet fleet, Switchovers switchovers) {
        this.fleet = fleet;
        this.switchovers = switchovers;
    }

    /** The local cloud's name of the engine this driver replicates. */
    protected abstract String engine();

    /** The query that gives a server's position now, master or replica. */
    protected abstract String positionQuery();

    @Override
    public boolean serves(String engine) {
        return engine().equals(Engines.of(engine));
    }

    /** A connection to a server of the deployment as its administrator. */
    protected Connection admin(String deployment, Node node) throws SQLException {
        try {
            return Sql.connect(fleet.secrets().of(deployment, engine()).admin(), node.address(), null);
        } catch (IOException e) {
            throw new SQLException("the passwords of " + deployment + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** One value of a query on a server of the deployment. */
    protected String one(String deployment, Node node, String query) throws SQLException {
        try (Connection c = admin(deployment, node)) {
            return Sql.one(c, query);
        }
    }

    protected Instance instance(Node node) throws StepFailedException {
        return fleet.find(node.id())
                .orElseThrow(() -> new StepFailedException(
                        node.name() + " is not a server of the local cloud at " + fleet.root()));
    }

    /** The deployment's servers of this engine on the local cloud, live: who follows whom, positions, writes. */
    @Override
    public Optional<ReplicationView> topology(String deployment) {
        List<ReplicationView.Member> nodes = new ArrayList<>();
        for (Instance i : fleet.all()) {
            if (!deployment.equals(i.deployment()) || !engine().equals(i.engine())) {
                continue;
            }
            String replicaOf = i.upstream() == null
                    ? null
                    : fleet.byAddress(i.upstream()).map(Instance::id).orElse(i.upstream());
            boolean running = fleet.running(i);
            nodes.add(new ReplicationView.Member(
                    i.id(), i.name(), replicaOf, running ? position(i) : null, false, i.address(), running));
        }
        if (nodes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ReplicationView(deployment, writePath(deployment), nodes));
    }

    /** The id of the server the deployment's write path leads to, its address when not a known server. */
    private String writePath(String deployment) {
        var path = fleet.writePath(deployment);
        if (path.isEmpty()) {
            return null;
        }
        try {
            String target = path.get().target();
            return fleet.byAddress(target).map(Instance::id).orElse(target);
        } catch (IOException e) {
            return null;
        }
    }

    private String position(Instance i) {
        try {
            return Sql.one(i, positionQuery());
        } catch (SQLException e) {
            return null;
        }
    }
}
