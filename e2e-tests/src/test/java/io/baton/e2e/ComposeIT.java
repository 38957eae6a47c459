package io.baton.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** docker-compose.yml as a user would run it: skipped, cleanly, where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class ComposeIT {

    @Container
    static final ComposeContainer COMPOSE = new ComposeContainer(
                    new File(System.getProperty("baton.home", ".."), "docker-compose.yml"))
            .withBuild(true)
            .withExposedService(
                    "planner-service", 7070, Wait.forHttp("/q/health/ready").withStartupTimeout(Duration.ofMinutes(3)))
            .withExposedService(
                    "cloud-service", 7071, Wait.forHttp("/q/health/ready").withStartupTimeout(Duration.ofMinutes(3)))
            .withExposedService(
                    "db-upgrade-service",
                    7072,
                    Wait.forHttp("/q/health/ready").withStartupTimeout(Duration.ofMinutes(3)))
            .withExposedService(
                    "lb-service", 7073, Wait.forHttp("/q/health/ready").withStartupTimeout(Duration.ofMinutes(3)));

    static String url(String service, int port) {
        return "http://" + COMPOSE.getServiceHost(service, port) + ":" + COMPOSE.getServicePort(service, port);
    }

    @Test
    void aDatabaseUpgradeCompletesInTheComposedStack() throws Exception {
        String deployment;
        try (InputStream in = getClass().getResourceAsStream("/sample-deployment.json")) {
            deployment = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        given().contentType(ContentType.JSON)
                .body(deployment)
                .post(url("cloud-service", 7071) + "/deployments")
                .then()
                .statusCode(201);
        String id = given().contentType(ContentType.JSON)
                .body("{\"deployment\":\"shop\",\"kind\":\"database\",\"change\":{\"instanceSize\":\"large\"}}")
                .post(url("planner-service", 7070) + "/upgrades")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        long deadline = System.currentTimeMillis() + 120_000;
        String state = "";
        while (System.currentTimeMillis() < deadline && !state.equals("COMPLETED")) {
            state = given().get(url("planner-service", 7070) + "/upgrades/" + id)
                    .then()
                    .extract()
                    .path("state");
            Thread.sleep(500);
        }
        assertThat(state).isEqualTo("COMPLETED");
    }
}
