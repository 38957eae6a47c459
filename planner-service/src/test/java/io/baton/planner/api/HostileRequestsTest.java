package io.baton.planner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;

import io.baton.infra.BatonTestInfra;
import io.baton.infra.Refusals;
import io.baton.planner.fleet.CloudInventory;
import io.quarkus.test.InjectMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.stream.Stream;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests an operator could send by mistake or an attacker on purpose: each gets a 400 problem that names what is
 * wrong, never a class name, and no upgrade starts.
 */
@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_planner"))
class HostileRequestsTest {

    @InjectMock
    @RestClient
    CloudInventory inventory;

    @BeforeEach
    void fleet() {
        when(inventory.deployment(anyString())).thenAnswer(call -> UpgradeResourceTest.deployment(call.getArgument(0)));
    }

    static final String DB =
            "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"instanceSize\":\"large\"}%s}";

    static String db(String more) {
        return DB.formatted(more);
    }

    static String app(String more) {
        return ("{\"deployment\":\"hostile\",\"kind\":\"application\",\"source\":{\"repository\":\"https://git.example/a.git\","
                        + "\"ref\":\"v2\"},\"sessionTtl\":\"PT10M\"%s}")
                .formatted(more);
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("dryRun=1 is not a yes", "?dryRun=1", db(""), "dryRun"),
                Arguments.of("dryRun=yes is not a yes", "?dryRun=yes", db(""), "dryRun"),
                Arguments.of("an empty dryRun", "?dryRun=", db(""), "dryRun"),
                Arguments.of("a misspelt field", "", db(",\"approvalRequred\":true"), "approvalRequred"),
                Arguments.of("a boolean as text", "", db(",\"approvalRequired\":\"true\""), "approvalRequired"),
                Arguments.of("a boolean as a number", "", db(",\"approvalRequired\":1"), "approvalRequired"),
                Arguments.of(
                        "a revision with a fraction",
                        "",
                        "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"templateRevision\":15.5}}",
                        "templateRevision"),
                Arguments.of(
                        "a negative revision",
                        "",
                        "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"templateRevision\":-5}}",
                        "templateRevision"),
                Arguments.of(
                        "a revision as text",
                        "",
                        "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"templateRevision\":\"15\"}}",
                        "templateRevision"),
                Arguments.of(
                        "an empty instance size",
                        "",
                        "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"instanceSize\":\"\"}}",
                        "instanceSize"),
                Arguments.of(
                        "an empty security group",
                        "",
                        "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"securityGroups\":[\"\"]}}",
                        "securityGroups"),
                Arguments.of(
                        "a NUL character",
                        "",
                        "{\"deployment\":\"hostile\",\"kind\":\"database\",\"change\":{\"instanceSize\":\"la\\u0000rge\"}}",
                        "NUL"),
                Arguments.of(
                        "a path as the deployment",
                        "",
                        "{\"deployment\":\"../../etc/passwd\",\"kind\":\"database\",\"change\":{\"zone\":\"c\"}}",
                        "deployment"),
                Arguments.of(
                        "a command as the deployment",
                        "",
                        "{\"deployment\":\"shop; rm -rf /\",\"kind\":\"database\",\"change\":{\"zone\":\"c\"}}",
                        "deployment"),
                Arguments.of(
                        "a newline in the deployment",
                        "",
                        "{\"deployment\":\"shop\\nx\",\"kind\":\"database\",\"change\":{\"zone\":\"c\"}}",
                        "deployment"),
                Arguments.of(
                        "a 300-character deployment",
                        "",
                        "{\"deployment\":\"" + "a".repeat(300)
                                + "\",\"kind\":\"database\",\"change\":{\"zone\":\"c\"}}",
                        "deployment"),
                Arguments.of("an unknown kind", "", "{\"deployment\":\"hostile\",\"kind\":\"nuclear\"}", "kind"),
                Arguments.of("an array for a body", "", "[]", "JSON"),
                Arguments.of("not JSON", "", "not json", "JSON"),
                Arguments.of("trailing text after the body", "", db("") + " and more", "JSON"),
                Arguments.of("no body", "", "", "request"),
                Arguments.of(
                        "a drain that may wait for years", "", app("").replace("PT10M", "PT999999999H"), "sessionTtl"),
                Arguments.of(
                        "an input that preloads a library",
                        "",
                        app(",\"inputs\":{\"LD_PRELOAD\":\"/tmp/x.so\"}"),
                        "inputs"),
                Arguments.of(
                        "an input that changes the JVM's options",
                        "",
                        app(",\"inputs\":{\"JAVA_TOOL_OPTIONS\":\"-javaagent:/tmp/a.jar\"}"),
                        "inputs"),
                Arguments.of(
                        "an input key that is no variable name",
                        "",
                        app(",\"inputs\":{\"a key; rm\":\"x\"}"),
                        "inputs"),
                Arguments.of("a null migration", "", app(",\"migrations\":[null]"), "migrations"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void isRefusedWithAProblemAndStartsNothing(String what, String query, String body, String named) {
        int before = upgradesOf("hostile");
        Response answer = given().contentType(ContentType.JSON).body(body).post("/upgrades" + query);
        Refusals.assertBadRequest(what, answer.statusCode(), answer.contentType(), answer.asString(), named);
        assertThat(upgradesOf("hostile")).as(what + " starts nothing").isEqualTo(before);
    }

    @Test
    void aBodyOverTheLimitIsRefusedNamingTheLimit() {
        int before = upgradesOf("hostile");
        String big = "x".repeat(600 * 1024);
        Response answer = given().contentType(ContentType.JSON)
                .body(app(",\"inputs\":{\"BIG\":\"" + big + "\"}"))
                .post("/upgrades");
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.jsonPath().getString("detail")).contains("the limit is 524288 bytes");
        assertThat(upgradesOf("hostile")).isEqualTo(before);
    }

    static int upgradesOf(String deployment) {
        return given().get("/upgrades?deployment=" + deployment)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("")
                .size();
    }
}
