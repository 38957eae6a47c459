package io.baton.planner.fleet;

import io.baton.contracts.fleet.DeploymentView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** cloud-service's inventory, read to classify a change. */
@RegisterRestClient(configKey = "cloud")
@Path("/deployments")
public interface CloudInventory {

    @GET
    @Path("/{name}")
    DeploymentView deployment(@PathParam("name") String name);
}
