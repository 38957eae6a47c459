package io.baton.lb.sim;

import io.baton.contracts.api.Roles;
import io.baton.saga.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients of the sim balancer, for demos and drills: sessions that a drain then waits for. It answers only while the
 * sim is the balancer driver; with a real balancer, send it real traffic.
 */
@Path("/balancer/{deployment}/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SimSessionsResource {

    /** Clients that open {@code count} sessions lasting {@code seconds} each. */
    public record Sessions(int count, double seconds) {}

    private final Instance<SimLoadBalancer> sim;

    public SimSessionsResource(Instance<SimLoadBalancer> sim) {
        this.sim = sim;
    }

    /** Opens client sessions; answers the server that took each one, or "refused". */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public List<String> open(@PathParam("deployment") String deployment, Sessions sessions) {
        if (!sim.isResolvable()) {
            throw ProblemException.notFound(
                    "not-found",
                    "Client sessions exist only with the sim balancer (baton.lb.driver=sim); send real traffic to a"
                            + " real balancer.");
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
