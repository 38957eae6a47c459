package io.baton.saga;

import io.baton.contracts.api.Limits;
import io.baton.contracts.api.Roles;
import io.baton.saga.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Fault injection rules of this service: add, list, clear. */
@Path("/faults")
@Produces(MediaType.APPLICATION_JSON)
public class FaultResource {

    private final FaultInjector faults;
    private final StepRunner runner;
    private final SagaConfig config;

    public FaultResource(FaultInjector faults, StepRunner runner, SagaConfig config) {
        this.faults = faults;
        this.runner = runner;
        this.config = config;
    }

    /** Off unless configured: the endpoint then does not exist, as far as a caller can tell. */
    private void enabled() {
        if (!config.faultsEnabled()) {
            throw ProblemException.notFound(
                    "not-found",
                    "Fault injection is off in this service; it answers only when started with"
                            + " baton.saga.faults-enabled=true, as ./baton and the tests do.");
        }
    }

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(FaultInjector.Rule rule) {
        enabled();
        if (rule == null || rule.step() == null) {
            throw ProblemException.badRequest("Name the step to fail, e.g. {\"step\":\"PROMOTE\"}.", null);
        }
        if (!runner.handles(rule.step())) {
            throw ProblemException.badRequest(
                    "This service does not run " + rule.step() + "; add the fault to the service that owns it.", null);
        }
        if (rule.deployment() != null && !rule.deployment().matches(Limits.NAME)) {
            throw ProblemException.badRequest("deployment: " + Limits.NAME_MESSAGE + ".", null);
        }
        if (rule.delayMillis() != null && (rule.delayMillis() < 0 || rule.delayMillis() > 600_000)) {
            throw ProblemException.badRequest("delayMillis is from 0 to 600000 (ten minutes).", null);
        }
        if (rule.crashAt() != null && !rule.crashAt().matches("[a-z][a-z-]{0,39}")) {
            throw ProblemException.badRequest(
                    "crashAt names a point of the step in lowercase letters and '-', e.g. \"paused\".", null);
        }
        if (rule.probability() != null && (rule.probability() < 0 || rule.probability() > 1)) {
            throw ProblemException.badRequest("probability is a number from 0 to 1.", null);
        }
        faults.add(rule);
        return Response.status(201).entity(rule).build();
    }

    @RolesAllowed(Roles.ADMIN)
    @GET
    public List<FaultInjector.Rule> list() {
        enabled();
        return faults.rules();
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    public Response clear() {
        enabled();
        faults.clear();
        return Response.noContent().build();
    }
}
