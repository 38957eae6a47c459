package io.baton.infra;

import java.util.regex.Pattern;

/** What every refusal of a bad request must be, checked the same way in every service's tests. */
public final class Refusals {

    private static final Pattern CLASS_NAME =
            Pattern.compile("(java|io\\.baton|com\\.fasterxml|org\\.hibernate)\\.[a-z]");

    private Refusals() {}

    /**
     * A 400 problem+json whose text names {@code named} (the field, the parameter) and shows no class name.
     *
     * @param what the case, for the failure message
     */
    public static void assertBadRequest(String what, int status, String contentType, String body, String named) {
        if (status != 400) {
            throw new AssertionError(what + ": expected 400, got " + status + ": " + body);
        }
        if (contentType == null || !contentType.startsWith("application/problem+json")) {
            throw new AssertionError(what + ": expected application/problem+json, got " + contentType);
        }
        if (!body.contains(named)) {
            throw new AssertionError(what + ": the problem does not name '" + named + "': " + body);
        }
        if (CLASS_NAME.matcher(body).find()) {
            throw new AssertionError(what + ": the problem shows a class name: " + body);
        }
    }
}
