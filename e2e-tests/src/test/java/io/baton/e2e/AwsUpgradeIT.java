package io.baton.e2e;

import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.fault;
import static io.baton.e2e.BatonStack.start;
import static io.baton.e2e.BatonStack.url;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.infra.MotoServer;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.bench.FaultCampaign;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Both runbooks with cloud-service on the aws provider, against a local EC2 / Auto Scaling emulator: the deployment's
 * servers are EC2 instances found by their tags, new ones are run from their configuration, backups are EBS
 * snapshots, the server array is an Auto Scaling group, and a rollback leaves nothing tagged with the upgrade but the
 * backup kept by design. Replication and the balancer run on their sim drivers (the emulator's instances run
 * nothing).
 */
class AwsUpgradeIT {

    private static final String TAG_UPGRADE = "baton:upgrade";
    private static MotoServer moto;
    private static Ec2Client ec2;
    private static AutoScalingClient autoscaling;
    private static String image;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(MotoServer.available(), MotoServer.MISSING);
        moto = MotoServer.start();
        ec2 = moto.ec2();
        autoscaling = moto.autoscaling();
        image = moto.seed(ec2);
        ec2.createLaunchTemplate(r -> r.launchTemplateName("php-app")
                .launchTemplateData(d -> d.imageId(image).instanceType("t3.small"))
                .tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.LAUNCH_TEMPLATE)
                        .tags(Tag.builder()
                                .key("baton:template")
                                .value("PHP App Server")
                                .build())
                        .build()));
        for (int version = 2; version <= 8; version++) {
            ec2.createLaunchTemplateVersion(r -> r.launchTemplateName("php-app")
                    .launchTemplateData(d -> d.imageId(image).instanceType("t3.small")));
        }
        BatonStack.get(Map.of(
                "baton.cloud.provider", "aws",
                "baton.cloud.aws.region", "us-east-1",
                "baton.cloud.aws.endpoint", moto.endpoint().toString(),
                "baton.cloud.aws.poll", "PT0.2S",
                "aws.accessKeyId", "baton-test",
                "aws.secretAccessKey", "baton-test"));
    }

    @AfterAll
    static void down() throws Exception {
        if (moto != null) {
            BatonStack.close();
            ec2.close();
            autoscaling.close();
            moto.close();
        }
    }

    @Test
    void aDatabaseUpgradeRunsNewInstancesAndTerminatesTheOldPair() throws Exception {
        Map<String, String> old = fleet("aws-db");
        String id = start("aws-db", "{\"instanceSize\": \"large\"}", false);
        JsonPath done = awaitState(id, Duration.ofMinutes(3), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("COMPLETED");

        List<Instance> launched = live(TAG_UPGRADE, id);
        assertThat(launched).as("the new master and the new slave").hasSize(2);
        assertThat(launched).allMatch(i -> i.instanceTypeAsString().equals("t3.large"));
        assertThat(state(old.get("db-1"))).isEqualTo("terminated");
        assertThat(state(old.get("db-2"))).isEqualTo("terminated");
        assertThat(state(old.get("app-1"))).isEqualTo("running");
        assertThat(done.getString("steps.find { it.name == 'CHECK_FIREWALL' }.details.firewall"))
                .as("checked against the security groups' ingress rules")
                .contains("the cloud's ingress rules");
        assertThat(ec2.describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:" + TAG_UPGRADE, id)))
                        .snapshots())
                .as("the new master's primary backup, an EBS snapshot")
                .hasSize(1);
    }

    @Test
    void aDatabaseUpgradeRolledBackLeavesNothingTaggedWithIt() throws Exception {
        Map<String, String> old = fleet("aws-db-back");
        fault(Service.CLOUD, "{\"step\":\"LAUNCH_NEW_SLAVE\",\"deployment\":\"aws-db-back\"}");
        String id = start("aws-db-back", "{\"instanceSize\": \"large\"}", false);
        JsonPath done = awaitState(id, Duration.ofMinutes(3), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("ROLLED_BACK");

        assertThat(live(TAG_UPGRADE, id)).as("instances the upgrade ran").isEmpty();
        assertThat(ec2.describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:" + TAG_UPGRADE, id)))
                        .snapshots())
                .as("snapshots the upgrade took")
                .isEmpty();
        for (String name : List.of("db-1", "db-2", "app-1", "app-2", "lb-1")) {
            assertThat(state(old.get(name))).as(name).isEqualTo("running");
        }
        BatonStack.assertNothingLeftBy(id, "aws-db-back");
    }

    @Test
    void anApplicationUpgradeMovesTheAutoScalingGroupToTheNewTemplateVersion() throws Exception {
        Map<String, String> old = fleet("aws-app");
        String id = startApplication("aws-app");
        JsonPath done = awaitState(id, Duration.ofMinutes(3), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("COMPLETED");

        AutoScalingGroup group = group("aws-app-array");
        assertThat(group.launchTemplate().version()).isEqualTo("8");
        assertThat(group.suspendedProcesses()).as("launches resumed").isEmpty();
        assertThat(live(TAG_UPGRADE, id)).as("the new application servers").hasSize(2);
        assertThat(state(old.get("app-1"))).isEqualTo("terminated");
        assertThat(state(old.get("app-2"))).isEqualTo("terminated");
        assertThat(state(old.get("db-1"))).isEqualTo("running");
    }

    @Test
    void anApplicationUpgradeRolledBackPutsTheGroupBackAndLeavesOnlyTheKeptBackup() throws Exception {
        Map<String, String> old = fleet("aws-app-back");
        fault(Service.LB, "{\"step\":\"SMOKE_TEST\",\"deployment\":\"aws-app-back\"}");
        String id = startApplication("aws-app-back");
        JsonPath done = awaitState(id, Duration.ofMinutes(3), "COMPLETED", "ROLLED_BACK", "FAILED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("ROLLED_BACK");

        AutoScalingGroup group = group("aws-app-back-array");
        assertThat(group.launchTemplate().version())
                .as("the template version before")
                .isEqualTo("7");
        assertThat(group.suspendedProcesses()).as("launches resumed").isEmpty();
        assertThat(live(TAG_UPGRADE, id)).as("instances the upgrade ran").isEmpty();
        assertThat(ec2.describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:" + TAG_UPGRADE, id)))
                        .snapshots())
                .as("only the backup before the migrations, kept by design")
                .singleElement()
                .satisfies(s -> assertThat(s.tags())
                        .contains(Tag.builder().key("baton:kept").value("true").build()));
        for (String name : List.of("app-1", "app-2", "db-1", "db-2", "lb-1")) {
            assertThat(state(old.get(name))).as(name).isEqualTo("running");
        }
        BatonStack.assertNoServerLeftBy(id, "aws-app-back");
    }

    /**
     * Runs the deployment's servers as EC2 instances tagged with it and their names, its array as an Auto Scaling
     * group on version 7 of the template, and registers it (cloud-service finds each instance by its tags); returns
     * the instance ids by server name.
     */
    private static Map<String, String> fleet(String deployment) throws Exception {
        String body;
        try (InputStream in = AwsUpgradeIT.class.getResourceAsStream("/sample-deployment.json")) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("\"shop\"", "\"" + deployment + "\"")
                    .replace("\"app-array\"", "\"" + deployment + "-array\"")
                    .replace("\"cloud\": \"sim\"", "\"cloud\": \"aws\"")
                    .replace("\"region\": \"eu-west\"", "\"region\": \"us-east-1\"")
                    .replace("\"zone\": \"eu-west-a\"", "\"zone\": \"us-east-1a\"")
                    .replace("\"zone\": \"eu-west-b\"", "\"zone\": \"us-east-1b\"");
        }
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        for (String name : List.of("db-1", "db-2", "app-1", "app-2", "lb-1")) {
            ids.put(
                    name,
                    ec2.runInstances(r -> r.imageId(image)
                                    .minCount(1)
                                    .maxCount(1)
                                    .instanceType("t3.medium")
                                    .tagSpecifications(TagSpecification.builder()
                                            .resourceType(ResourceType.INSTANCE)
                                            .tags(
                                                    Tag.builder()
                                                            .key("Name")
                                                            .value(name)
                                                            .build(),
                                                    Tag.builder()
                                                            .key("baton:deployment")
                                                            .value(deployment)
                                                            .build())
                                            .build()))
                            .instances()
                            .get(0)
                            .instanceId());
        }
        autoscaling.createAutoScalingGroup(r -> r.autoScalingGroupName(deployment + "-array")
                .launchTemplate(t -> t.launchTemplateName("php-app").version("7"))
                .minSize(0)
                .maxSize(4)
                .desiredCapacity(0)
                .availabilityZones("us-east-1a"));
        given().contentType(ContentType.JSON)
                .body(body)
                .post(url(Service.CLOUD) + "/deployments")
                .then()
                .statusCode(201);
        return ids;
    }

    private static String startApplication(String deployment) {
        return given().contentType(ContentType.JSON)
                .body(FaultCampaign.applicationRequest(deployment))
                .post(url(Service.PLANNER) + "/upgrades")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static List<Instance> live(String tag, String value) {
        return ec2
                .describeInstances(r -> r.filters(
                        filter("tag:" + tag, value),
                        filter("instance-state-name", "pending", "running", "stopping", "stopped")))
                .reservations()
                .stream()
                .flatMap(x -> x.instances().stream())
                .toList();
    }

    private static String state(String instanceId) {
        return ec2.describeInstances(r -> r.instanceIds(instanceId))
                .reservations()
                .get(0)
                .instances()
                .get(0)
                .state()
                .nameAsString();
    }

    private static AutoScalingGroup group(String name) {
        return autoscaling
                .describeAutoScalingGroups(r -> r.autoScalingGroupNames(name))
                .autoScalingGroups()
                .get(0);
    }

    private static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }
}
