package io.baton.lb.api;

import io.baton.contracts.api.Limits;
import io.baton.contracts.api.Roles;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.steps.Balancers;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** The balancer's members for a deployment: state, health and current sessions, as HAProxy's stats show them. */
@Path("/balancer")
@Produces(MediaType.APPLICATION_JSON)
public class BalancerResource {

    private final Balancers balancers;

    public BalancerResource(Balancers balancers) {
        this.balancers = balancers;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{deployment}")
    public List<LoadBalancer.Member> members(@PathParam("deployment") String deployment) {
        return balancers.current().members(deployment);
    }

    /** Servers that serve the deployment already, by name and address, for a balancer Baton did not set up. */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/{deployment}/members")
    @Consumes(MediaType.APPLICATION_JSON)
    public List<LoadBalancer.Member> serving(
            @PathParam("deployment") @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String deployment,
            @NotNull(message = "send the servers as {\"name\": \"host:port\"}") @NotEmpty @Size(max = Limits.ENTRIES)
                    Map<
                                    @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String,
                                    @NotNull @Pattern(regexp = Limits.ADDRESS, message = Limits.ADDRESS_MESSAGE) String>
                            servers) {
        // names and addresses are checked before any reaches HAProxy's runtime API, whose commands they join
        servers.forEach((server, address) -> balancers.current().ensureServing(deployment, server, address));
        return members(deployment);
    }
}
