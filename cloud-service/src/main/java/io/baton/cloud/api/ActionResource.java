package io.baton.cloud.api;

import io.baton.cloud.fleet.Fleet;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The instance actions an upgrade caused, in order: what an auditor, or a test for "nothing ran twice", reads. */
@Path("/actions")
@Produces(MediaType.APPLICATION_JSON)
public class ActionResource {

    private final Fleet fleet;

    public ActionResource(Fleet fleet) {
        this.fleet = fleet;
    }

    @GET
    @Path("/{upgradeId}")
    public List<Fleet.Action> actions(@PathParam("upgradeId") String upgradeId) {
        return fleet.actions(upgradeId);
    }
}
