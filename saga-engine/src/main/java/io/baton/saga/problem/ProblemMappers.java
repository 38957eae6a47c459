package io.baton.saga.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as application/problem+json: never a class name or a stack trace. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(e.toProblem(uri.getPath()));
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<String> errors = e.getConstraintViolations().stream()
                .map(v -> field(v.getPropertyPath()) + ": " + v.getMessage())
                .sorted()
                .collect(Collectors.toList());
        return respond(
                ProblemException.badRequest("Fix the fields listed in errors and send the request again.", errors)
                        .toProblem(uri.getPath()));
    }

    /** Declared apart so that it wins over Quarkus's own mapper for this exception, which answers an empty body. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        String where = "";
        if (e instanceof MismatchedInputException mismatch
                && !mismatch.getPath().isEmpty()) {
            where = mismatch.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
        }
        String detail;
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds() == null
                    ? List.of()
                    : unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .sorted()
                            .toList();
            detail = "Unknown field '" + where + "'; this request knows " + String.join(", ", known)
                    + ". Fix its name or leave it out.";
        } else if (e instanceof StrictJson.ForbiddenCharacter) {
            detail = "The value at '" + where + "' contains a NUL character; remove it.";
        } else if (e instanceof MismatchedInputException && !where.isEmpty()) {
            detail = "The value at '" + where + "' has the wrong type or is not one of the allowed values (text in"
                    + " quotes, whole numbers without a fraction, true or false)."
                    + " Send a JSON object as documented.";
        } else {
            detail = "The body is not valid JSON for this request. Send a JSON object as documented.";
        }
        return respond(ProblemException.badRequest(detail, null).toProblem(uri.getPath()));
    }

    /** No token, an expired or forged one: say how to get in, with the challenge RFC 6750 asks for. */
    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    private static Response unauthorized(UriInfo uri) {
        Problem problem = new ProblemException(
                        401,
                        "unauthenticated",
                        "Not signed in",
                        "Send a valid, unexpired bearer token: Authorization: Bearer <token>. On the local stack,"
                                + " ./baton token --role viewer prints one.")
                .toProblem(uri.getPath());
        return Response.status(401)
                .type(Problem.MEDIA_TYPE)
                .header("WWW-Authenticate", "Bearer")
                .entity(problem)
                .build();
    }

    /** Signed in, but without the role this needs: name the roles that would do. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, ResourceInfo resource) {
        RolesAllowed allowed = resource == null || resource.getResourceMethod() == null
                ? null
                : resource.getResourceMethod().getAnnotation(RolesAllowed.class);
        String roles = allowed == null ? "" : String.join(" or ", allowed.value());
        return respond(new ProblemException(
                        403,
                        "forbidden",
                        "Not allowed",
                        roles.isEmpty()
                                ? "Your token has no role that may do this."
                                : "This needs the role " + roles + "; your token has none of them. Ask for a token"
                                        + " with it.")
                .toProblem(uri.getPath()));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri) {
        return respond(ProblemException.notFound("not-found", "There is nothing at " + uri.getPath() + ".")
                .toProblem(uri.getPath()));
    }

    @ServerExceptionMapper(priority = 5000)
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadable(unreadable, uri);
        }
        if (status == 400) {
            // what Quarkus refuses before a resource sees it: a body that is not JSON, or text after it
            return respond(ProblemException.badRequest(
                            "The request could not be read. Send one JSON object as documented, with"
                                    + " Content-Type: application/json.",
                            null)
                    .toProblem(uri.getPath()));
        }
        if (status < 500) {
            return respond(new ProblemException(
                            status,
                            "http-" + status,
                            e.getResponse().getStatusInfo().getReasonPhrase(),
                            e.getMessage())
                    .toProblem(uri.getPath()));
        }
        return unexpected(e, uri);
    }

    @ServerExceptionMapper(priority = 6000)
    public Response unexpected(Throwable e, UriInfo uri) {
        LOG.errorf(e, "unexpected error on %s", uri.getPath());
        return respond(new ProblemException(
                        500,
                        "internal-error",
                        "Internal error",
                        "The service could not complete the request; it is logged. Retry, and if it persists, look at the service log.")
                .toProblem(uri.getPath()));
    }

    /**
     * The field as the caller wrote it: {@code servers[1].name}, {@code inputs[LD_PRELOAD] (key)}; without the Java
     * method, and without the parameter's name when the field is inside the body.
     */
    static String field(Path path) {
        List<Path.Node> nodes = new ArrayList<>();
        path.forEach(nodes::add);
        boolean inBody = nodes.stream().anyMatch(n -> n.getKind() == ElementKind.PROPERTY);
        StringBuilder out = new StringBuilder();
        for (Path.Node n : nodes) {
            if (n.isInIterable()) {
                out.append('[')
                        .append(n.getIndex() != null ? n.getIndex() : n.getKey())
                        .append(']');
            }
            switch (n.getKind()) {
                case PROPERTY -> out.append(out.isEmpty() ? "" : ".").append(n.getName());
                case PARAMETER -> {
                    if (!inBody) {
                        out.append(n.getName());
                    }
                }
                case CONTAINER_ELEMENT -> {
                    if ("<map key>".equals(n.getName())) {
                        out.append(" (key)");
                    }
                }
                default -> {
                    // the method: not the caller's business
                }
            }
        }
        return out.toString();
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
