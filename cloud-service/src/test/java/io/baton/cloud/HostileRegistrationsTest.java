package io.baton.cloud;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.infra.BatonTestInfra;
import io.baton.infra.Refusals;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Registrations an operator could send by mistake or an attacker on purpose: names and addresses that would reach
 * postgresql.conf, primary_conninfo, haproxy.cfg or a process's environment. Each gets a 400 problem naming the field,
 * and nothing is registered.
 */
@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_cloud"))
class HostileRegistrationsTest {

    /** A valid registration of {@code name}, with {@code server} as the slave's fields. */
    static String registration(String name, String server) {
        return ("{\"name\":\"%s\",\"servers\":[{\"name\":\"db-1\",\"role\":\"MASTER\",\"config\":{\"instanceSize\":\"m\"}},"
                        + "{\"role\":\"SLAVE\",\"config\":{\"instanceSize\":\"m\"},%s}]}")
                .formatted(name, server);
    }

    static Stream<Arguments> registrations() {
        String slave = "\"name\":\"db-2\"";
        return Stream.of(
                Arguments.of("a newline in the name", registration("shop\\nx", slave), "name"),
                Arguments.of("a path as the name", registration("../../etc/passwd", slave), "name"),
                Arguments.of("a command as the name", registration("shop; rm -rf /", slave), "name"),
                Arguments.of("a 300-character name", registration("a".repeat(300), slave), "name"),
                Arguments.of("a name ending in a dash", registration("shop-", slave), "name"),
                Arguments.of("capitals in the name", registration("Shop", slave), "name"),
                Arguments.of("a quote in a server name", registration("h-1", "\"name\":\"db'2\""), "servers[1].name"),
                Arguments.of("a server name with a space", registration("h-2", "\"name\":\"db 2\""), "servers[1].name"),
                Arguments.of(
                        "an address that is none",
                        registration("h-3", slave + ",\"address\":\"not an address:99999\""),
                        "address"),
                Arguments.of(
                        "a port past 65535", registration("h-4", slave + ",\"address\":\"db-2:70000\""), "address"),
                Arguments.of(
                        "a runtime API separator in an address",
                        registration("h-5", slave + ",\"address\":\"db-2:5432;shutdown sessions\""),
                        "address"),
                Arguments.of(
                        "an input that preloads a library",
                        registration("h-6", slave + ",\"inputs\":{\"LD_PRELOAD\":\"/tmp/x.so\"}"),
                        "inputs"),
                Arguments.of(
                        "an input that sets the JVM's options",
                        registration("h-7", slave + ",\"inputs\":{\"JAVA_TOOL_OPTIONS\":\"-javaagent:x\"}"),
                        "inputs"),
                Arguments.of(
                        "a NUL character in an input",
                        registration("h-8", slave + ",\"inputs\":{\"DB_NAME\":\"sh\\u0000op\"}"),
                        "NUL"),
                Arguments.of(
                        "a negative revision",
                        registration("h-9", slave).replace("\"m\"}", "\"m\",\"templateRevision\":-1}"),
                        "templateRevision"),
                Arguments.of(
                        "a replica of a name that is none",
                        registration("h-10", slave + ",\"replicaOf\":\"db 1\""),
                        "replicaOf"),
                Arguments.of("a null server", "{\"name\":\"h-11\",\"servers\":[null]}", "servers"),
                Arguments.of("no servers at all", "{\"name\":\"h-12\",\"servers\":[]}", "servers"),
                Arguments.of(
                        "a misspelt field",
                        registration("h-13", slave).replace("\"servers\"", "\"serverz\""),
                        "serverz"),
                Arguments.of(
                        "a firewall port past 65535",
                        "{\"name\":\"h-14\",\"firewallRules\":[{\"securityGroup\":\"db\",\"port\":70000,\"source\":\"app\"}],"
                                + "\"servers\":[{\"name\":\"db-1\",\"role\":\"MASTER\",\"config\":{}}]}",
                        "port"),
                Arguments.of("no body", "", "request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registrations")
    void isRefusedWithAProblemAndRegistersNothing(String what, String body, String named) {
        int before = deployments();
        Response answer = given().contentType(ContentType.JSON).body(body).post("/deployments");
        Refusals.assertBadRequest(what, answer.statusCode(), answer.contentType(), answer.asString(), named);
        assertThat(deployments()).as(what + " registers nothing").isEqualTo(before);
    }

    @Test
    void oneOfManyRegistrationsOfOneNameAtOnceWinsAndTheOthersAreTold() throws Exception {
        String body = registration("race", "\"name\":\"db-2\"");
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Integer> statuses = new ArrayList<>();
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Integer> post = () -> given().contentType(ContentType.JSON)
                        .body(body)
                        .post("/deployments")
                        .statusCode();
                answers.add(clients.submit(post));
            }
            for (Future<Integer> a : answers) {
                statuses.add(a.get());
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(7);
        given().get("/deployments/race").then().statusCode(200);
    }

    static int deployments() {
        return given().get("/deployments")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("")
                .size();
    }
}
