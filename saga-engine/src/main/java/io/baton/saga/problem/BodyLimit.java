package io.baton.saga.problem;

import io.baton.contracts.Json;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body declared larger than quarkus.http.limits.max-body-size is refused before it is read, as a problem naming the
 * limit; a chunked body that grows past it is cut off by Quarkus itself with a bare 413.
 */
@ApplicationScoped
public class BodyLimit {

    private final long limit;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared <= limit) {
                ctx.next();
                return;
            }
            Problem problem = new ProblemException(
                            413,
                            "too-large",
                            "Request too large",
                            "The body is " + declared + " bytes; the limit is " + limit + " bytes (" + limit / 1024
                                    + " KiB). An upgrade's request, inputs and migrations travel in one Kafka event"
                                    + " and must stay under it: send less.")
                    .toProblem(ctx.request().path());
            ctx.response()
                    .setStatusCode(413)
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("Connection", "close")
                    .end(Json.write(problem));
        });
    }
}
