package io.baton.planner.api;

import io.baton.contracts.api.CreateUpgrade;
import io.baton.contracts.api.Roles;
import io.baton.planner.upgrade.UpgradeCommands;
import io.baton.planner.upgrade.UpgradeQueries;
import io.baton.planner.upgrade.UpgradeRequests;
import io.baton.planner.upgrade.UpgradeState;
import io.baton.saga.problem.ProblemException;
import io.baton.saga.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import java.util.Locale;

@Path("/upgrades")
@Produces(MediaType.APPLICATION_JSON)
public class UpgradeResource {

    private final UpgradeRequests requests;
    private final UpgradeCommands commands;
    private final UpgradeQueries queries;
    private final SecurityIdentity caller;

    public UpgradeResource(
            UpgradeRequests requests, UpgradeCommands commands, UpgradeQueries queries, SecurityIdentity caller) {
        this.requests = requests;
        this.commands = commands;
        this.queries = queries;
        this.caller = caller;
    }

    /** Plans an upgrade and starts it; with {@code dryRun=true} answers the same plan and changes nothing. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(@NotNull @Valid CreateUpgrade request, @Context UriInfo uri) {
        boolean dryRun = strictBoolean("dryRun", uri.getQueryParameters().get("dryRun"));
        PlanView plan = requests.start(
                request, dryRun, new UpgradeRequests.Requester(Caller.name(caller), caller.hasRole(Roles.LIBRARY)));
        if (dryRun) {
            return Response.ok(plan).build();
        }
        return Response.created(URI.create("/upgrades/" + plan.id()))
                .entity(plan)
                .build();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public UpgradeView upgrade(@PathParam("id") String id) {
        return queries.view(id);
    }

    /**
     * Upgrades of a deployment or a state, newest first, {@code limit} at a time (50 unless asked, at most
     * {@value #MAX_LIMIT}): when more follow, a {@code Link} header with {@code rel="next"} gives the next page's
     * address. A limit out of range or a cursor this service did not hand out is refused, never quietly changed.
     */
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Response list(
            @QueryParam("deployment") String deployment,
            @QueryParam("state") String state,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit,
            @Context UriInfo uri) {
        int size = limit(limit);
        UpgradeQueries.Cursor after = null;
        if (cursor != null) {
            after = UpgradeQueries.Cursor.decode(cursor);
            if (after == null) {
                throw ProblemException.badRequest(
                        "The cursor is not one this service handed out.",
                        List.of("cursor: copy it from the Link header of the previous page"));
            }
        }
        UpgradeQueries.Page page = queries.list(deployment, state == null ? null : state(state), after, size);
        Response.ResponseBuilder response = Response.ok(page.upgrades());
        if (page.next() != null) {
            URI next = uri.getRequestUriBuilder()
                    .replaceQueryParam("cursor", page.next().encode())
                    .replaceQueryParam("limit", size)
                    .build();
            // relative: behind a proxy the service does not know the address its callers use (nor their scheme),
            // and a client that follows an absolute link would send its token wherever it points
            response.link(URI.create(next.getRawPath() + "?" + next.getRawQuery()), "next");
        }
        return response.build();
    }

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest(
                "The limit is a number of upgrades per page from 1 to " + MAX_LIMIT + ".",
                List.of("limit: 1 to " + MAX_LIMIT + "; follow the Link header's next page for more"));
    }

    @RolesAllowed(Roles.APPROVER)
    @POST
    @Path("/{id}/approve")
    public UpgradeView approve(@PathParam("id") String id) {
        return commands.approve(id, Caller.name(caller));
    }

    /** Rolls back every completed step, newest first; answers at once, the rollback follows on the timeline. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{id}/abort")
    public Response abort(@PathParam("id") String id) {
        return Response.accepted(commands.abort(id, Caller.name(caller))).build();
    }

    private static UpgradeState state(String value) {
        try {
            return UpgradeState.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(
                    "Unknown state '" + value + "'.", List.of("state: one of " + List.of(UpgradeState.values())));
        }
    }

    /**
     * A yes-or-no query parameter: absent is false; only {@code true} and {@code false} are accepted, so that a
     * {@code ?dryRun=1} meant as a dry run is refused instead of starting a real upgrade.
     */
    static boolean strictBoolean(String name, List<String> values) {
        if (values == null) {
            return false;
        }
        String value = values.size() == 1 ? values.get(0) : "";
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ProblemException.badRequest(
                    "The query parameter " + name + " is true or false; leave it out for false.",
                    List.of(name + ": true or false"));
        };
    }
}
