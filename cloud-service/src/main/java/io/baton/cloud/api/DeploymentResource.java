package io.baton.cloud.api;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.fleet.InputBackups;
import io.baton.cloud.fleet.InputsCsv;
import io.baton.cloud.fleet.Servers;
import io.baton.cloud.fleet.Snapshots;
import io.baton.cloud.provider.CloudProvider;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.api.RegisterDeployment;
import io.baton.contracts.api.Roles;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.saga.problem.ProblemException;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/** The fleet inventory: register a deployment whose servers run, read it, and see what was done to it. */
@Path("/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeploymentResource {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DeploymentResource.class);

    public record SnapshotView(String id, String serverId, String createdBy, int progress, Instant createdAt) {}

    private final Deployments deployments;
    private final Servers servers;
    private final Snapshots snapshots;
    private final InputBackups inputs;
    private final Providers providers;

    public DeploymentResource(
            Deployments deployments, Servers servers, Snapshots snapshots, InputBackups inputs, Providers providers) {
        this.deployments = deployments;
        this.servers = servers;
        this.snapshots = snapshots;
        this.inputs = inputs;
        this.providers = providers;
    }

    /**
     * Registers a deployment. The cloud places its servers: one that runs real servers (local) launches them now, the
     * master, its slaves from it, and the write path; if one cannot start, nothing is kept and the answer says why.
     */
    @RolesAllowed(Roles.ADMIN)
    @POST
    public Response register(@NotNull @Valid RegisterDeployment request) {
        DeploymentView registered = deployments.register(request);
        CloudProvider provider = providers.current();
        try {
            provider.provision(registered).forEach((id, address) -> servers.placed(null, id, address));
        } catch (Exception e) {
            LOG.warnf(e, "deployment %s was not registered: its servers could not be started", registered.name());
            try {
                provider.unprovision(registered);
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            deployments.forget(registered.name());
            throw new ProblemException(
                    422,
                    "cannot-provision",
                    "Servers could not be started",
                    "Deployment '" + request.name() + "' was not registered: " + e.getMessage());
        }
        DeploymentView created = deployments.deployment(registered.name()).orElseThrow();
        return Response.created(URI.create("/deployments/" + created.name()))
                .entity(created)
                .build();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<String> names() {
        return deployments.names();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{name}")
    public DeploymentView deployment(@PathParam("name") String name) {
        return deployments.deployment(name).orElseThrow(() -> unknown(name));
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{name}/snapshots")
    public List<SnapshotView> snapshots(@PathParam("name") String name) {
        deployment(name);
        return snapshots.of(name).stream()
                .map(s -> new SnapshotView(s.id, s.serverId, s.createdBy, s.progress, s.createdAt))
                .toList();
    }

    /**
     * The deployment's inputs as CSV, for the operator's own copy before an upgrade changes them; with
     * {@code upgrade}, the copy that upgrade saved before it changed them.
     */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{name}/inputs.csv")
    @Produces("text/csv")
    public Response inputs(@PathParam("name") String name, @QueryParam("upgrade") String upgradeId) {
        DeploymentView deployment = deployment(name);
        String csv = upgradeId == null
                ? InputsCsv.write(deployment.inputs())
                : inputs.saved(upgradeId)
                        .orElseThrow(() -> ProblemException.notFound(
                                "no-saved-inputs", "Upgrade " + upgradeId + " saved no inputs of '" + name + "'."));
        String file = name + (upgradeId == null ? "" : "-" + upgradeId) + "-inputs.csv";
        return Response.ok(csv)
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .build();
    }

    /** Where the deployment's applications send their writes, for a cloud that runs a write path (local). */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{name}/write-path")
    public CloudProvider.WritePathView writePath(@PathParam("name") String name) throws Exception {
        deployment(name);
        return providers
                .current()
                .writePath(name)
                .orElseThrow(() -> ProblemException.notFound(
                        "no-write-path",
                        "Deployment '" + name
                                + "' has no write path in this cloud; its applications connect to the master"
                                + " directly."));
    }

    static ProblemException unknown(String name) {
        return ProblemException.notFound(
                "unknown-deployment",
                "No deployment named '" + name + "' is registered; register it with POST /deployments first.");
    }
}
