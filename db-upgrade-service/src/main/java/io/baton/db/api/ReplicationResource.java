package io.baton.db.api;

import io.baton.db.replication.sim.SimReplication;
import io.baton.local.Engines;
import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.baton.local.Sql;
import io.baton.saga.problem.ProblemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Who replicates from whom, at which position, and where writes go: the topology an operator checks. */
@Path("/replication")
@Produces(MediaType.APPLICATION_JSON)
public class ReplicationResource {

    /**
     * @param replicaOf the id of the server it replicates from; null for a master
     * @param position its position now: an LSN (written on a master, replayed on a replica), a GTID position, or a
     *     sim counter; null when it does not answer
     */
    public record NodeView(
            String id,
            String name,
            String replicaOf,
            String position,
            boolean fenced,
            String address,
            boolean running) {}

    /** @param writePath the id of the server writes reach */
    public record TopologyView(String deployment, String writePath, List<NodeView> nodes) {}

    private final jakarta.enterprise.inject.Instance<SimReplication> sim;
    private final jakarta.enterprise.inject.Instance<LocalFleet> local;
    private final String driver;

    public ReplicationResource(
            jakarta.enterprise.inject.Instance<SimReplication> sim,
            jakarta.enterprise.inject.Instance<LocalFleet> local,
            @ConfigProperty(name = "baton.db.driver") String driver) {
        this.sim = sim;
        this.local = local;
        this.driver = driver;
    }

    @GET
    @Path("/{deployment}")
    public TopologyView topology(@PathParam("deployment") String deployment) throws IOException {
        if ("local".equals(driver)) {
            return local(deployment, local.get());
        }
        if (!sim.isResolvable()) {
            throw new ProblemException(
                    501,
                    "not-available",
                    "Not available",
                    "baton.db.driver=" + driver + " has no replication view; ask the database servers directly.");
        }
        SimReplication replication = sim.get();
        Instant now = Instant.now();
        List<NodeView> nodes = replication.nodes(deployment).stream()
                .map(n -> new NodeView(
                        n.id,
                        n.name,
                        n.masterId,
                        "sim:" + replication.position(n.id, now),
                        n.fencedAt != null,
                        null,
                        true))
                .toList();
        return new TopologyView(deployment, replication.writePath(deployment), nodes);
    }

    private static TopologyView local(String deployment, LocalFleet fleet) throws IOException {
        List<NodeView> nodes = new ArrayList<>();
        for (Instance i : fleet.all()) {
            if (!deployment.equals(i.deployment())
                    || !(Engines.POSTGRESQL.equals(i.engine()) || Engines.MARIADB.equals(i.engine()))) {
                continue;
            }
            String replicaOf = i.upstream() == null
                    ? null
                    : fleet.byAddress(i.upstream()).map(Instance::id).orElse(i.upstream());
            boolean running = fleet.running(i);
            nodes.add(new NodeView(
                    i.id(), i.name(), replicaOf, running ? position(i) : null, false, i.address(), running));
        }
        if (nodes.isEmpty()) {
            throw ProblemException.notFound(
                    "unknown-deployment", "The local cloud runs no database server of '" + deployment + "'.");
        }
        var path = fleet.writePath(deployment);
        String writePath = path.isEmpty()
                ? null
                : fleet.byAddress(path.get().target())
                        .map(Instance::id)
                        .orElse(path.get().target());
        return new TopologyView(deployment, writePath, nodes);
    }

    private static String position(Instance i) {
        String query = Engines.MARIADB.equals(i.engine())
                ? "SELECT @@gtid_binlog_pos"
                : "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END";
        try {
            return Sql.one(i.engine(), i.address(), query);
        } catch (SQLException e) {
            return null;
        }
    }
}
