package io.baton.lb.api;

import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.sim.SimLoadBalancer;
import io.baton.lb.steps.Members;
import io.baton.saga.problem.ProblemException;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The balancer's members for a deployment: state, health and current sessions, as HAProxy's stats show them. With
 * the sim driver, also the servers that already serve and client sessions, for demos and drills.
 */
@Path("/balancer")
@Produces(MediaType.APPLICATION_JSON)
public class BalancerResource {

    /** Clients that open {@code count} sessions lasting {@code seconds} each. */
    public record Sessions(int count, double seconds) {}

    private final Members members;
    private final Instance<SimLoadBalancer> sim;

    public BalancerResource(Members members, Instance<SimLoadBalancer> sim) {
        this.members = members;
        this.sim = sim;
    }

    @GET
    @Path("/{deployment}")
    public List<LoadBalancer.Member> members(@PathParam("deployment") String deployment) {
        return members.balancer().members(deployment);
    }

    /** Servers that serve the deployment already, by name and address. */
    @POST
    @Path("/{deployment}/members")
    @Consumes(MediaType.APPLICATION_JSON)
    public List<LoadBalancer.Member> serving(@PathParam("deployment") String deployment, Map<String, String> servers) {
        servers.forEach((server, address) -> members.balancer().ensureServing(deployment, server, address));
        return members(deployment);
    }

    /** Opens client sessions through the sim balancer; answers the server that took each one. */
    @POST
    @Path("/{deployment}/sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    public List<String> open(@PathParam("deployment") String deployment, Sessions sessions) {
        if (!sim.isResolvable()) {
            throw new ProblemException(
                    501,
                    "not-available",
                    "Not available",
                    "Client sessions are simulated with the sim driver only; send real traffic to a real balancer.");
        }
        if (sessions == null || sessions.count() < 1 || sessions.count() > 10_000 || sessions.seconds() <= 0) {
            throw ProblemException.badRequest("Give a count from 1 to 10000 and a positive length in seconds.", null);
        }
        List<String> servers = new ArrayList<>();
        Duration length = Duration.ofMillis((long) (sessions.seconds() * 1000));
        for (int i = 0; i < sessions.count(); i++) {
            servers.add(sim.get().open(deployment, length).orElse("refused"));
        }
        return servers;
    }
}
