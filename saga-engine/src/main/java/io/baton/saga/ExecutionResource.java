package io.baton.saga;

import io.baton.contracts.api.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/**
 * What this service did for one upgrade: each step and compensation it ran, how often it started, how it ended, and
 * which replica holds it (until when, unless it renews its lease).
 */
@Path("/executions")
@Produces(MediaType.APPLICATION_JSON)
public class ExecutionResource {

    public record ExecutionView(
            int step,
            String name,
            Mode mode,
            StepExecution.State state,
            int attempts,
            String owner,
            Instant leaseUntil,
            Instant startedAt,
            Instant finishedAt,
            String outcome) {}

    private final Executions executions;

    public ExecutionResource(Executions executions) {
        this.executions = executions;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{upgradeId}")
    public List<ExecutionView> executions(@PathParam("upgradeId") String upgradeId) {
        return executions.of(upgradeId).stream()
                .map(x -> new ExecutionView(
                        x.stepIndex,
                        x.stepName,
                        x.mode,
                        x.state,
                        x.attempts,
                        x.owner,
                        x.leaseUntil,
                        x.startedAt,
                        x.finishedAt,
                        x.outcome))
                .toList();
    }
}
