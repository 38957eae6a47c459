package io.baton.lb.api;

import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.steps.Members;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The balancer's members for a deployment: state, health and current sessions, as HAProxy's stats show them. */
@Path("/balancer")
@Produces(MediaType.APPLICATION_JSON)
public class BalancerResource {

    private final Members members;

    public BalancerResource(Members members) {
        this.members = members;
    }

    @GET
    @Path("/{deployment}")
    public List<LoadBalancer.Member> members(@PathParam("deployment") String deployment) {
        return members.balancer().members(deployment);
    }
}
