package io.baton.planner.notify;

import io.baton.contracts.api.Limits;
import io.baton.contracts.api.Roles;
import io.baton.saga.Tx;
import io.baton.saga.problem.ProblemException;
import io.baton.saga.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Webhooks: who is told when an upgrade waits for approval, completes, rolls back or fails (docs/operations.md says
 * what they receive and how to check the signature). Registering one needs the admin role: Baton will send requests
 * to the address it is given.
 */
@Path("/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    /** @param deployment only this deployment's upgrades; leave it out for every deployment's */
    public record NewWebhook(
            @NotBlank @Size(max = 2000) String url,
            @Pattern(regexp = Limits.NAME, message = Limits.NAME_MESSAGE) String deployment,
            @Size(min = 16, max = 200, message = "use 16 to 200 characters, or leave it out for a generated one")
                    String secret) {}

    /** A webhook as it is shown: the secret only once, in the answer that registered it. */
    public record WebhookView(
            String id,
            String deployment,
            String url,
            List<String> types,
            String createdBy,
            Instant createdAt,
            String secret) {}

    public record DeliveryView(
            long id,
            String eventId,
            String type,
            String upgradeId,
            int attempts,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant deliveredAt,
            Instant givenUpAt,
            String lastError) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Tx tx;
    private final SecurityIdentity caller;

    public WebhookResource(Tx tx, SecurityIdentity caller) {
        this.tx = tx;
        this.caller = caller;
    }

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@NotNull @Valid NewWebhook request) {
        URI url = checked(request.url());
        Webhook w = new Webhook();
        w.id = UUID.randomUUID().toString();
        w.deployment = request.deployment();
        w.url = url.toString();
        w.secret = request.secret() != null ? request.secret() : HexFormat.of().formatHex(random(32));
        w.createdBy = Caller.name(caller);
        w.createdAt = Instant.now();
        tx.run(s -> s.persist(w));
        return Response.created(URI.create("/webhooks/" + w.id))
                .entity(view(w, w.secret))
                .build();
    }

    @RolesAllowed(Roles.ADMIN)
    @GET
    public List<WebhookView> list() {
        return tx
                .run(s -> s.createSelectionQuery("from Webhook order by createdAt, id", Webhook.class)
                        .getResultList())
                .stream()
                .map(w -> view(w, null))
                .toList();
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        boolean found = tx.run(s -> s.find(Webhook.class, id)
                .chain(w ->
                        w == null ? Uni.createFrom().item(false) : s.remove(w).replaceWith(true)));
        if (!found) {
            throw unknown(id);
        }
        return Response.noContent().build();
    }

    /** Its deliveries, newest first: what was sent, how often, and why the last attempt failed. */
    @RolesAllowed(Roles.ADMIN)
    @GET
    @Path("/{id}/deliveries")
    public List<DeliveryView> deliveries(@PathParam("id") String id) {
        return tx
                .run(s -> s.find(Webhook.class, id).chain(w -> {
                    if (w == null) {
                        return Uni.createFrom().failure(unknown(id));
                    }
                    return s.createSelectionQuery(
                                    "from WebhookDelivery where webhookId = :w order by id desc", WebhookDelivery.class)
                            .setParameter("w", id)
                            .setMaxResults(200)
                            .getResultList();
                }))
                .stream()
                .map(d -> new DeliveryView(
                        d.id,
                        d.eventId,
                        d.type,
                        d.upgradeId,
                        d.attempts,
                        d.createdAt,
                        d.nextAttemptAt,
                        d.deliveredAt,
                        d.givenUpAt,
                        d.lastError))
                .toList();
    }

    private static WebhookView view(Webhook w, String secret) {
        return new WebhookView(w.id, w.deployment, w.url, Notifications.types(), w.createdBy, w.createdAt, secret);
    }

    /** An absolute http or https address without a user name or password in it. */
    private static URI checked(String text) {
        URI url;
        try {
            url = URI.create(text.strip());
        } catch (IllegalArgumentException e) {
            throw invalid("url: not an address (" + e.getMessage() + ")");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid("url: an http or https address");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw invalid("url: an address with a host");
        }
        if (url.getRawUserInfo() != null) {
            throw invalid("url: no user name or password in it; the deliveries are signed with the secret instead");
        }
        if (url.getRawFragment() != null) {
            throw invalid("url: no #fragment");
        }
        return url;
    }

    private static ProblemException invalid(String error) {
        return ProblemException.badRequest(
                "Fix the fields listed in errors and send the request again.", List.of(error));
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound(
                "unknown-webhook", "No webhook has the id '" + id + "'; GET /webhooks lists them.");
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
