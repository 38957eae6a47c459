package io.baton.cloud.provider.aws;

import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerView;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Amazon EC2 and Auto Scaling ({@link Ec2Fleet}), in the region of {@code baton.cloud.aws.region}. Credentials come
 * from the SDK's default chain (environment, profile, container or instance role); {@code baton.cloud.aws.endpoint}
 * points both clients elsewhere (an emulator, a VPC endpoint).
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.cloud.provider", stringValue = "aws")
public class AwsCloudProvider implements CloudProvider {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Ec2Client ec2;
    private final AutoScalingClient autoscaling;
    private final Ec2Fleet fleet;
    private final Duration terminateTimeout;
    private final Optional<String> healthCheckPath;

    public AwsCloudProvider(
            @ConfigProperty(name = "baton.cloud.aws.region", defaultValue = "us-east-1") String region,
            @ConfigProperty(name = "baton.cloud.aws.endpoint") Optional<URI> endpoint,
            @ConfigProperty(name = "baton.cloud.aws.instance-types") Optional<Map<String, String>> instanceTypes,
            @ConfigProperty(name = "baton.cloud.aws.data-volume-gib", defaultValue = "100") int dataVolumeGiB,
            @ConfigProperty(name = "baton.cloud.aws.app-port", defaultValue = "8080") int appPort,
            @ConfigProperty(name = "baton.cloud.aws.poll", defaultValue = "PT2S") Duration poll,
            @ConfigProperty(name = "baton.cloud.aws.terminate-timeout", defaultValue = "PT10M")
                    Duration terminateTimeout,
            @ConfigProperty(name = "baton.cloud.aws.health-check-path") Optional<String> healthCheckPath) {
        var ec2Builder = Ec2Client.builder()
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        var asgBuilder = AutoScalingClient.builder()
                .region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        endpoint.ifPresent(e -> {
            ec2Builder.endpointOverride(e);
            asgBuilder.endpointOverride(e);
        });
        this.ec2 = ec2Builder.build();
        this.autoscaling = asgBuilder.build();
        Map<String, String> types = new HashMap<>(Ec2Fleet.Settings.defaults().instanceTypes());
        instanceTypes.ifPresent(types::putAll);
        this.fleet = new Ec2Fleet(ec2, autoscaling, new Ec2Fleet.Settings(types, dataVolumeGiB, appPort, poll));
        this.terminateTimeout = terminateTimeout;
        this.healthCheckPath = healthCheckPath;
    }

    @PreDestroy
    void close() {
        ec2.close();
        autoscaling.close();
    }

    @Override
    public String launch(String deployment, ServerView server, Launch how) {
        return fleet.launch(deployment, server, how);
    }

    @Override
    public void awaitOperational(ServerView server, Duration timeout) throws Exception {
        fleet.awaitOperational(server, timeout);
    }

    /**
     * Both status checks, then (when {@code baton.cloud.aws.health-check-path} is set) the application's health
     * check over HTTP at its private address, which needs Baton to run where it can reach the instances.
     */
    @Override
    public List<String> test(ServerView server) throws Exception {
        List<String> failed = new ArrayList<>(fleet.statusChecks(server));
        if (failed.isEmpty() && healthCheckPath.isPresent()) {
            URI uri = URI.create("http://" + server.address() + healthCheckPath.get());
            try {
                int status = HTTP.send(
                                HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status / 100 != 2) {
                    failed.add(server.name() + "'s health check " + uri + " answered " + status);
                }
            } catch (java.io.IOException e) {
                failed.add(server.name() + "'s health check " + uri + " did not answer: " + e.getMessage());
            }
        }
        return failed;
    }

    @Override
    public void startSnapshot(ServerView server, String snapshotId, String upgradeId, boolean kept) {
        fleet.startSnapshot(server, snapshotId, upgradeId, kept);
    }

    @Override
    public int snapshotProgress(String snapshotId) {
        return fleet.snapshotProgress(snapshotId);
    }

    @Override
    public void deleteSnapshot(String snapshotId) {
        fleet.deleteSnapshot(snapshotId);
    }

    @Override
    public void terminate(ServerView server) throws Exception {
        fleet.terminate(server, terminateTimeout);
    }

    @Override
    public Map<String, String> provision(DeploymentView deployment) {
        return fleet.provision(deployment.name(), deployment.servers());
    }

    @Override
    public Optional<List<FirewallRule>> firewallRules(List<String> securityGroups, int port) {
        return Optional.of(fleet.firewallRules(securityGroups, port));
    }

    @Override
    public void syncArrays(String deployment, List<ServerArrayView> arrays) {
        fleet.syncArrays(arrays);
    }

    @Override
    public List<String> sweep(String deployment, String upgradeId) throws Exception {
        return fleet.sweep(upgradeId, terminateTimeout);
    }
}
