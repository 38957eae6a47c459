package io.baton.planner.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.contracts.fleet.DeploymentView;
import io.quarkus.rest.client.reactive.jackson.ClientObjectMapper;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * cloud-service's inventory, read to classify a change, on behalf of the caller: their bearer token goes along (see
 * propagateHeaders in application.properties), so cloud-service checks their role and the planner holds no credential
 * of its own.
 */
@RegisterRestClient(configKey = "cloud")
@RegisterClientHeaders
@Path("/deployments")
public interface CloudInventory {

    @GET
    @Path("/{name}")
    DeploymentView deployment(@PathParam("name") String name);

    /**
     * Requests to Baton are strict (an unknown field is refused), but what another service answers is read tolerantly:
     * a newer cloud-service may add fields during a rolling upgrade.
     */
    @ClientObjectMapper
    static ObjectMapper tolerant(ObjectMapper strict) {
        return strict.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
