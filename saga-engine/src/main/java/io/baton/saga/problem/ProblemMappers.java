package io.baton.saga.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
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
                .map(v -> field(v.getPropertyPath().toString()) + ": " + v.getMessage())
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
            where = " at '"
                    + mismatch.getPath().stream()
                            .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                            .collect(Collectors.joining("."))
                    + "'";
        }
        String detail = e instanceof InvalidFormatException
                ? "A value" + where + " has the wrong type or is not one of the allowed values."
                : "The body is not valid JSON for this request" + where + ".";
        return respond(ProblemException.badRequest(detail + " Send a JSON object as documented.", null)
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

    private static String field(String path) {
        int dot = path.indexOf('.');
        // drop the method and parameter name: "register.request.name" -> "name"
        String[] parts = path.split("\\.");
        return parts.length > 2
                ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length))
                : (dot < 0 ? path : path.substring(dot + 1));
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
