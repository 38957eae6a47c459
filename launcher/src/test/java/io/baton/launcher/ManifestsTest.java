package io.baton.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.launcher.Stack.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifests against their generator and against the services they run. */
class ManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theCommittedManifestsAreTheGeneratorsOutput() throws IOException {
        Path dir = ROOT.resolve("deploy/kubernetes");
        if (Boolean.getBoolean("baton.write-docs")) {
            Manifests.main(ROOT, new String[] {"manifests", dir.toString()});
        }
        for (Map.Entry<String, String> file : Manifests.all().entrySet()) {
            assertThat(dir.resolve(file.getKey()))
                    .as("deploy/kubernetes is made by ./baton manifests; write it anew with it")
                    .hasContent(file.getValue());
        }
        try (var listed = Files.list(dir)) {
            assertThat(listed.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Manifests.all().keySet());
        }
    }

    @Test
    void eachServiceRunsTwoReplicasProbedOnItsOwnPort() throws IOException {
        Pattern configured = Pattern.compile("quarkus\\.http\\.port=\\$\\{\\w+:(\\d+)}");
        for (Service s : Service.values()) {
            String properties =
                    Files.readString(ROOT.resolve(s.module).resolve("src/main/resources/application.properties"));
            Matcher m = configured.matcher(properties);
            assertThat(m.find()).as("%s names its port", s.module).isTrue();
            int port = Integer.parseInt(m.group(1));
            String yaml = Manifests.all().get(s.module + ".yaml");
            assertThat(yaml)
                    .contains("replicas: 2")
                    .contains("containerPort: " + port, "port: " + port, "prometheus.io/port: \"" + port + "\"")
                    .contains("path: /q/health/live", "path: /q/health/ready", "path: /q/health/started")
                    .contains("fieldPath: metadata.name")
                    .contains("value: " + s.name().toLowerCase(java.util.Locale.ROOT))
                    .contains("kind: PodDisruptionBudget", "minAvailable: 1");
            // the Dockerfile the image is built from exposes the same port
            assertThat(ROOT.resolve(s.module).resolve("Dockerfile")).content().contains("EXPOSE " + port);
        }
        assertThat(Manifests.all().get("baton-config.yaml"))
                .contains("BATON_CLOUD_URL: http://cloud-service:7071")
                .contains("BATON_PLANNER_DB_URL: postgresql://postgres:5432/baton_planner");
    }

    /** docker-compose.yml runs two replicas of each service, each with its own static membership id and port. */
    @Test
    void composeRunsTwoReplicasOfEachService() throws IOException {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        for (Service s : Service.values()) {
            int port = Manifests.port(s);
            assertThat(compose)
                    .contains("\n  " + s.module + ":\n")
                    .contains("\n  " + s.module + "-1:\n")
                    .contains("\"" + port + ":" + port + "\"", "\"" + (port + 100) + ":" + port + "\"")
                    .contains("image: baton/" + s.module + ":" + Manifests.VERSION);
        }
        assertThat(Pattern.compile("BATON_INSTANCE_ID: \"0\"")
                        .matcher(compose)
                        .results()
                        .count())
                .isEqualTo(4);
        assertThat(Pattern.compile("BATON_INSTANCE_ID: \"1\"")
                        .matcher(compose)
                        .results()
                        .count())
                .isEqualTo(4);
    }
}
