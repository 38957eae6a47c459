package io.baton.db.api;

import io.baton.contracts.api.Roles;
import io.baton.db.migration.MigrationDriver;
import io.baton.saga.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The schema history of a deployment's database: which migrations of which upgrade are applied. */
@Path("/migrations")
@Produces(MediaType.APPLICATION_JSON)
public class MigrationResource {

    private final Instance<MigrationDriver> drivers;

    public MigrationResource(Instance<MigrationDriver> drivers) {
        this.drivers = drivers;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{deployment}")
    public List<MigrationDriver.Applied> history(@PathParam("deployment") String deployment) {
        if (!drivers.isResolvable()) {
            throw new ProblemException(
                    501,
                    "not-available",
                    "Not available",
                    "No migration driver runs for this service's baton.db.driver; ask the database server for its"
                            + " schema history.");
        }
        return drivers.get().history(deployment);
    }
}
