package io.baton.saga.problem;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The documentation of each problem type, at the path of its type URI ({@code /problems/{slug}}), on every service:
 * a page for a browser, JSON for a program. Open to everyone: it says nothing about any deployment.
 */
@Path("/problems")
@PermitAll
public class ProblemTypeResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<ProblemTypes.Type> all() {
        return ProblemTypes.all();
    }

    @GET
    @Path("/{slug}")
    @Produces(MediaType.APPLICATION_JSON)
    public ProblemTypes.Type type(@PathParam("slug") String slug) {
        return find(slug);
    }

    @GET
    @Path("/{slug}")
    @Produces(MediaType.TEXT_HTML)
    public String page(@PathParam("slug") String slug) {
        ProblemTypes.Type t = find(slug);
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + t.title() + " ("
                + t.status() + ")</title></head>\n<body>\n<h1>" + t.title() + "</h1>\n<p><code>" + t.type()
                + "</code>, HTTP " + t.status() + "</p>\n<h2>What it means</h2>\n<p>" + escape(t.meaning())
                + "</p>\n<h2>What to do</h2>\n<p>" + escape(t.whatToDo()) + "</p>\n</body></html>\n";
    }

    private static ProblemTypes.Type find(String slug) {
        return ProblemTypes.find(slug)
                .orElseThrow(() -> ProblemException.notFound(
                        "not-found", "No problem type is called '" + slug + "'; GET /problems lists them."));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
