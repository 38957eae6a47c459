package io.baton.saga.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.List;

/**
 * An RFC 9457 problem detail. {@code type} is stable and documented; {@code detail} says what to do about it.
 *
 * @param errors one line per invalid field or offending item, when there are several
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(URI type, String title, int status, String detail, String instance, List<String> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String BASE = "https://baton.dev/problems/";

    public static URI type(String slug) {
        return URI.create(BASE + slug);
    }
}
