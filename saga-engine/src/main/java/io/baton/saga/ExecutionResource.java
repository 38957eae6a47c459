package io.baton.saga;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** What this service did for one upgrade: each step and compensation it ran, how often it started, how it ended. */
@Path("/executions")
@Produces(MediaType.APPLICATION_JSON)
public class ExecutionResource {

    public record ExecutionView(
            int step,
            String name,
            String mode,
            String state,
            int attempts,
            Instant startedAt,
            Instant finishedAt,
            String outcome) {}

    private final SagaEngine engine;

    public ExecutionResource(SagaEngine engine) {
        this.engine = engine;
    }

    @GET
    @Path("/{upgradeId}")
    public List<ExecutionView> executions(@PathParam("upgradeId") String upgradeId) {
        return engine.executions(upgradeId).stream()
                .map(x -> new ExecutionView(
                        x.stepIndex,
                        x.stepName,
                        x.mode.name(),
                        x.state.name(),
                        x.attempts,
                        x.startedAt,
                        x.finishedAt,
                        x.outcome))
                .toList();
    }
}
