package io.baton.db.api;

import io.baton.db.replication.sim.SimReplication;
import io.baton.saga.problem.ProblemException;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** Who replicates from whom, at which position, and where writes go: the topology an operator checks. */
@Path("/replication")
@Produces(MediaType.APPLICATION_JSON)
public class ReplicationResource {

    public record NodeView(String id, String name, String replicaOf, long position, boolean fenced) {}

    public record TopologyView(String deployment, String writePath, List<NodeView> nodes) {}

    private final Instance<SimReplication> sim;

    public ReplicationResource(Instance<SimReplication> sim) {
        this.sim = sim;
    }

    @GET
    @Path("/{deployment}")
    public TopologyView topology(@PathParam("deployment") String deployment) {
        if (!sim.isResolvable()) {
            throw new ProblemException(
                    501,
                    "not-available",
                    "Not available",
                    "The replication view is served by the sim driver only; ask the database servers directly.");
        }
        SimReplication replication = sim.get();
        Instant now = Instant.now();
        List<NodeView> nodes = replication.nodes(deployment).stream()
                .map(n -> new NodeView(n.id, n.name, n.masterId, replication.position(n.id, now), n.fencedAt != null))
                .toList();
        return new TopologyView(deployment, replication.writePath(deployment), nodes);
    }
}
