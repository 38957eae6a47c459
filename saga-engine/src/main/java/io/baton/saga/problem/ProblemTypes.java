package io.baton.saga.problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every problem type a Baton service answers with: its status, what it means and what to do about it. Every service
 * serves them at {@code GET /problems/{slug}} (the path of the type URI), docs/problems.md lists them, and a test
 * holds both to the slugs the code uses.
 */
public final class ProblemTypes {

    /** One type: {@code slug} is the last segment of its URI {@code type}, as problem answers carry it. */
    public record Type(String slug, String type, int status, String title, String meaning, String whatToDo) {}

    private static final Map<String, Type> TYPES = new LinkedHashMap<>();

    static {
        add(
                "invalid-request",
                400,
                "The request is not valid",
                "A field is missing, malformed or out of range, a query parameter has a value it does not take, or"
                        + " the body is not the JSON the endpoint reads (unknown fields are refused too).",
                "Read errors: one line per offending field. Nothing was changed.");
        add(
                "unauthenticated",
                401,
                "Not signed in",
                "No bearer token, or one that is malformed, expired, not signed by the configured key or from"
                        + " another issuer.",
                "Send Authorization: Bearer <token>. On the local stack, ./baton token --role ... prints one.");
        add(
                "forbidden",
                403,
                "Not allowed",
                "The token is valid but none of its roles may call this endpoint.",
                "Ask for a token with the role the endpoint names (viewer, operator, approver, library, admin).");
        add(
                "needs-library-role",
                403,
                "Needs the library role",
                "The change imports a server template (a new template or a major revision); that needs the library"
                        + " role besides operator.",
                "Have someone with the library role start it, or try it first with ?dryRun=true to see the plan.");
        add(
                "not-found",
                404,
                "Not found",
                "Nothing is at this path, or the resource exists only with another driver (such as the sim"
                        + " balancer's client sessions).",
                "Check the path against the service's OpenAPI document at /q/openapi.");
        add(
                "unknown-deployment",
                404,
                "Not found",
                "No deployment of this name is registered (cloud-service), or this service has not seen it yet.",
                "Register it with POST /deployments on cloud-service, or list them with GET /deployments.");
        add(
                "unknown-upgrade",
                404,
                "Not found",
                "No upgrade has this id.",
                "List upgrades with GET /upgrades on planner-service.");
        add(
                "unknown-webhook",
                404,
                "Not found",
                "No webhook has this id (it may have been deleted).",
                "List the webhooks with GET /webhooks on planner-service.");
        add(
                "no-saved-inputs",
                404,
                "Not found",
                "The upgrade saved no inputs of this deployment (only an upgrade that ran a backup step saves them).",
                "Ask for the deployment's current inputs instead, without an upgrade id.");
        add(
                "no-write-path",
                404,
                "Not found",
                "The deployment has no write path (PgBouncer or a published master) in this cloud; its applications"
                        + " connect to the master directly.",
                "Nothing to fetch; point the application at the master's address from the inventory.");
        add(
                "deployment-exists",
                409,
                "Deployment already registered",
                "A deployment of this name is registered already.",
                "Choose another name, or use the registered one.");
        add(
                "deployment-busy",
                409,
                "Another upgrade is running",
                "The deployment is being upgraded already; one upgrade runs per deployment at a time.",
                "Wait for the running upgrade (named in detail) to end, or abort it, then start again.");
        add(
                "not-awaiting-approval",
                409,
                "Not waiting for approval",
                "Only an upgrade in AWAITING_APPROVAL can be approved.",
                "Look at the upgrade's state with GET /upgrades/{id}; it may have been approved or aborted already.");
        add(
                "upgrade-ended",
                409,
                "The upgrade has ended",
                "The upgrade completed, rolled back or failed; there is nothing left to abort.",
                "Nothing to do; its timeline says how it ended.");
        add(
                "past-the-pivot",
                409,
                "Past the pivot",
                "The upgrade is terminating the old servers, the one step that cannot be undone; it will complete.",
                "Let it finish; a further change is a new upgrade.");
        add(
                "too-large",
                413,
                "Request too large",
                "The body is over the service's limit (quarkus.http.limits.max-body-size, 512 KiB): an upgrade's"
                        + " first event carries its request and must fit in one Kafka record.",
                "Send a smaller request: split a large migration into several upgrades.");
        add(
                "cannot-provision",
                422,
                "Servers could not be started",
                "Registering the deployment needed servers the cloud could not start; nothing was registered.",
                "Read detail for the cloud's reason, fix it (image, size, quota) and register again.");
        add(
                "nothing-to-do",
                422,
                "Nothing to upgrade",
                "Every server of the deployment already has every value in the change.",
                "Check the change against the deployment's servers (GET /deployments/{name} on cloud-service).");
        add(
                "incompatible-migration",
                422,
                "This change needs downtime",
                "A statement of the migration is not additive: the running version of the application would break"
                        + " while old and new servers share the database.",
                "Split it: an additive migration now, the destructive part in a later upgrade once no server runs"
                        + " the old version. errors lists the statements.");
        add(
                "no-app-servers",
                422,
                "No application servers",
                "An application upgrade needs at least one running application server; the deployment has none.",
                "Check the deployment's servers in the inventory.");
        add(
                "no-database-pair",
                422,
                "No database pair",
                "A database upgrade needs a running master with a slave; the deployment has no such pair.",
                "Check the deployment's database servers in the inventory.");
        add(
                "internal-error",
                500,
                "Internal error",
                "The service failed in a way it did not expect; its log has the stack trace under the instance id.",
                "Retry once; if it happens again, report it with the instance id and the service's log.");
        add(
                "not-available",
                501,
                "Not available",
                "This service's driver does not offer the endpoint (for example migrations without a migration"
                        + " driver).",
                "Use the driver that offers it, or ask the server directly.");
        add(
                "inventory-unavailable",
                503,
                "Inventory unavailable",
                "planner-service could not read the deployment from cloud-service; nothing was started.",
                "Check that cloud-service runs (its health at /q/health) and retry.");
    }

    private ProblemTypes() {}

    private static void add(String slug, int status, String title, String meaning, String whatToDo) {
        TYPES.put(slug, new Type(slug, Problem.type(slug).toString(), status, title, meaning, whatToDo));
    }

    public static List<Type> all() {
        return List.copyOf(TYPES.values());
    }

    public static Optional<Type> find(String slug) {
        return Optional.ofNullable(TYPES.get(slug));
    }

    /** docs/problems.md, as a test checks it against this registry. */
    public static String markdown() {
        StringBuilder md = new StringBuilder(
                """
                # Problem types

                Every error a Baton service answers is `application/problem+json` (RFC 9457) with one of these types.
                Each is documented on every service at the path of its type URI: `GET /problems/{slug}` answers a
                page (or JSON with `Accept: application/json`), `GET /problems` lists them all. `detail` says what
                happened this time; `errors` lists the offending fields when there are several.

                This file is made from `ProblemTypes` in saga-engine; `ProblemTypesTest` fails when they differ
                (`./mvnw -pl saga-engine test -Dtest=ProblemTypesTest -Dbaton.write-docs=true` writes it anew).

                | type | status | title |
                |---|---|---|
                """);
        for (Type t : TYPES.values()) {
            md.append("| [`")
                    .append(t.slug())
                    .append("`](#")
                    .append(t.slug())
                    .append(") | ")
                    .append(t.status())
                    .append(" | ")
                    .append(t.title())
                    .append(" |\n");
        }
        for (Type t : TYPES.values()) {
            md.append("\n## ")
                    .append(t.slug())
                    .append("\n\n`")
                    .append(t.type())
                    .append("`, HTTP ")
                    .append(t.status())
                    .append(", ")
                    .append(t.title())
                    .append(".\n\n")
                    .append(t.meaning())
                    .append("\n\n**What to do:** ")
                    .append(t.whatToDo())
                    .append("\n");
        }
        return md.toString();
    }
}
