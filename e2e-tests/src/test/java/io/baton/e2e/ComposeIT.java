package io.baton.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Tokens;
import io.baton.common.Wait;
import io.baton.contracts.api.Roles;
import io.baton.infra.DefaultToken;
import io.restassured.http.ContentType;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** docker-compose.yml as a user would run it: skipped, cleanly, where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class ComposeIT {

    /** The key pair the composed services trust (mounted from .baton/keys), made before they start. */
    static final Tokens.Keys KEYS = keys();

    /** The Kafka passwords compose/make-secrets makes (the broker's and each service's env file), made before. */
    static final boolean SECRETS = makeSecrets();

    @Container
    static final ComposeContainer COMPOSE = new ComposeContainer(
                    new File(System.getProperty("baton.home", ".."), "docker-compose.yml"))
            .withBuild(true)
            .withExposedService("planner-service", 7070, ready())
            .withExposedService("cloud-service", 7071, ready())
            .withExposedService("db-upgrade-service", 7072, ready())
            .withExposedService("lb-service", 7073, ready());

    static boolean makeSecrets() {
        Path script = Path.of(System.getProperty("baton.home", "..")).resolve("compose/make-secrets");
        try {
            Process p =
                    new ProcessBuilder("bash", script.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(script + " exited with " + p.exitValue());
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Tokens.Keys keys() {
        try {
            Tokens.Keys keys =
                    Tokens.keys(Path.of(System.getProperty("baton.home", "..")).resolve(".baton/keys"));
            DefaultToken.use(Tokens.mint(keys.signing(), "compose-tester", Roles.ALL, Duration.ofHours(1)));
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service is up once its readiness check answers. */
    static WaitStrategy ready() {
        return org.testcontainers.containers.wait.strategy.Wait.forHttp("/q/health/ready")
                .withStartupTimeout(Duration.ofMinutes(3));
    }

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
        String upgrade = url("planner-service", 7070) + "/upgrades/" + id;
        try {
            Wait.forThe("upgrade " + id + " to complete", Duration.ofSeconds(120))
                    .every(Duration.ofMillis(500))
                    .until(() -> "COMPLETED"
                            .equals(given().get(upgrade).then().extract().path("state")));
        } catch (Wait.Unfinished checkedNext) {
            // the assertion says how it stands
        }
        String state = given().get(upgrade).then().extract().path("state");
        assertThat(state).isEqualTo("COMPLETED");
    }
}
