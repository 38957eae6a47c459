package io.baton.db.api;

import io.baton.db.migration.sim.SimMigrations;
import io.baton.saga.problem.ProblemException;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** The schema history of a deployment's database: which migrations of which upgrade are applied. */
@Path("/migrations")
@Produces(MediaType.APPLICATION_JSON)
public class MigrationResource {

    public record AppliedView(String upgradeId, int position, String name, String up, Instant appliedAt) {}

    private final Instance<SimMigrations> sim;

    public MigrationResource(Instance<SimMigrations> sim) {
        this.sim = sim;
    }

    @GET
    @Path("/{deployment}")
    public List<AppliedView> history(@PathParam("deployment") String deployment) {
        if (!sim.isResolvable()) {
            throw new ProblemException(
                    501,
                    "not-available",
                    "Not available",
                    "The schema history is served by the sim driver only; ask the database server directly.");
        }
        return sim.get().history(deployment).stream()
                .map(m -> new AppliedView(m.upgradeId, m.position, m.name, m.up, m.appliedAt))
                .toList();
    }
}
