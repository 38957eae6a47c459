package io.baton.cloud.api;

import io.baton.cloud.fleet.ActionLog;
import io.baton.contracts.api.Roles;
import jakarta.annotation.security.RolesAllowed;
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

    private final ActionLog actions;

    public ActionResource(ActionLog actions) {
        this.actions = actions;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{upgradeId}")
    public List<ActionLog.Action> actions(@PathParam("upgradeId") String upgradeId) {
        return actions.of(upgradeId);
    }
}
