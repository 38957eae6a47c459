package io.baton.db.api;

import io.baton.contracts.api.Roles;
import io.baton.db.replication.ReplicationDriver;
import io.baton.db.replication.ReplicationView;
import io.baton.saga.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;

/** Who replicates from whom, at which position, and where writes go, as the replication drivers see it. */
@Path("/replication")
@Produces(MediaType.APPLICATION_JSON)
public class ReplicationResource {

    private final Instance<ReplicationDriver> drivers;

    public ReplicationResource(Instance<ReplicationDriver> drivers) {
        this.drivers = drivers;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{deployment}")
    public ReplicationView topology(@PathParam("deployment") String deployment) {
        return drivers.stream()
                .map(driver -> driver.topology(deployment))
                .flatMap(Optional::stream)
                .findFirst()
                .orElseThrow(() -> ProblemException.notFound(
                        "unknown-deployment",
                        "No database server of '" + deployment + "' is replicated by this service yet; it knows a"
                                + " deployment from its first database upgrade."));
    }
}
