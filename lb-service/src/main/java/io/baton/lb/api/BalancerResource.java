package io.baton.lb.api;

import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.steps.Balancers;
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

    @GET
    @Path("/{deployment}")
    public List<LoadBalancer.Member> members(@PathParam("deployment") String deployment) {
        return balancers.current().members(deployment);
    }

    /** Servers that serve the deployment already, by name and address, for a balancer Baton did not set up. */
    @POST
    @Path("/{deployment}/members")
    @Consumes(MediaType.APPLICATION_JSON)
    public List<LoadBalancer.Member> serving(@PathParam("deployment") String deployment, Map<String, String> servers) {
        servers.forEach((server, address) -> balancers.current().ensureServing(deployment, server, address));
        return members(deployment);
    }
}
