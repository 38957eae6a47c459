package io.baton.infra;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Gives every RestAssured request of a test JVM a bearer token unless it brings its own: the tests of behaviour act
 * as someone with every role, and the tests of roles say which token they send.
 */
public final class DefaultToken implements Filter {

    private static volatile String token;

    private DefaultToken() {}

    /** From now on, requests without an Authorization header carry {@code bearer}. */
    public static synchronized void use(String bearer) {
        if (token == null) {
            RestAssured.filters(new DefaultToken());
        }
        token = bearer;
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext context) {
        if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + token);
        }
        return context.next(request, response);
    }
}
