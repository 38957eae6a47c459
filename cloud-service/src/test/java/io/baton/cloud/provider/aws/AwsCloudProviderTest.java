package io.baton.cloud.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.cloud.provider.CloudProvider;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.infra.MotoServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.SuspendedProcess;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The aws provider's contract against a local EC2 / Auto Scaling emulator: every call it makes, what it leaves in
 * the cloud, and a rollback's sweep leaving nothing tagged with the upgrade but the backup kept by design.
 */
class AwsCloudProviderTest {

    private static MotoServer moto;
    private static Ec2Client ec2;
    private static AutoScalingClient autoscaling;
    private static AwsCloudProvider provider;
    private static String image;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(MotoServer.available(), MotoServer.MISSING);
        moto = MotoServer.start();
        // the provider takes its credentials from the SDK's default chain, as in production
        System.setProperty("aws.accessKeyId", "baton-test");
        System.setProperty("aws.secretAccessKey", "baton-test");
        provider = new AwsCloudProvider(
                "us-east-1",
                Optional.of(moto.endpoint()),
                Optional.of(Map.of("small", "t3.small", "large", "m6i.large")),
                20,
                8080,
                Duration.ofMillis(100),
                Duration.ofSeconds(30),
                Optional.empty());
        ec2 = moto.ec2();
        autoscaling = moto.autoscaling();
        image = moto.seed(ec2);
        String db = ec2.describeSecurityGroups(r -> r.groupNames("db"))
                .securityGroups()
                .get(0)
                .groupId();
        ec2.createSecurityGroup(r -> r.groupName("db-v2").description("a group with no rule"));
        ec2.authorizeSecurityGroupIngress(r -> r.groupId(db)
                .ipPermissions(IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(22)
                        .toPort(22)
                        .ipRanges(x -> x.cidrIp("10.0.0.0/8"))
                        .build()));
    }

    @AfterAll
    static void down() throws Exception {
        if (moto != null) {
            ec2.close();
            autoscaling.close();
            provider.close();
            moto.close();
        }
    }

    private static ServerView server(String id, String name, Role role, String upgrade, String engine, String size) {
        ServerConfig config = new ServerConfig(
                "Shop DB", 3, "aws", "us-east-1", "us-east-1a", size, List.of("db"), "ops", "debian-12", engine);
        return new ServerView(id, name, role, config, ServerState.DEFINED, null, null, Map.of(), List.of(), upgrade);
    }

    private static ServerView placed(ServerView s, String address) {
        return new ServerView(
                s.id(),
                s.name(),
                s.role(),
                s.config(),
                ServerState.PENDING,
                address,
                s.replicaOf(),
                s.inputs(),
                s.alerts(),
                s.createdBy());
    }

    @Test
    void launchesFromTheConfigurationOnceAndBacksUpAndTerminates() throws Exception {
        ServerView slave = server("srv-slave", "db-3", Role.SLAVE, "u-launch", "postgresql", "small");
        String address = provider.launch("shop", slave, new CloudProvider.Launch(null, null));
        assertThat(address).matches("\\d+\\.\\d+\\.\\d+\\.\\d+:5432");
        assertThat(provider.launch("shop", slave, new CloudProvider.Launch(null, null)))
                .as("launch called again after a crash finds the instance it ran")
                .isEqualTo(address);
        List<Instance> tagged = instances("tag:" + Ec2Fleet.SERVER, "srv-slave");
        assertThat(tagged).hasSize(1);
        Instance i = tagged.get(0);
        assertThat(i.imageId()).isEqualTo(image);
        assertThat(i.instanceTypeAsString()).isEqualTo("t3.small");
        assertThat(i.keyName()).isEqualTo("ops");
        assertThat(i.placement().availabilityZone()).isEqualTo("us-east-1a");
        assertThat(i.securityGroups()).extracting(g -> g.groupName()).containsExactly("db");
        assertThat(i.tags())
                .extracting(Tag::key, Tag::value)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("Name", "db-3"),
                        org.assertj.core.groups.Tuple.tuple(Ec2Fleet.DEPLOYMENT, "shop"),
                        org.assertj.core.groups.Tuple.tuple(Ec2Fleet.UPGRADE, "u-launch"));
        assertThat(i.blockDeviceMappings()).extracting(b -> b.deviceName()).contains(Ec2Fleet.DATA_DEVICE);

        ServerView running = placed(slave, address);
        provider.awaitOperational(running, Duration.ofSeconds(30));
        assertThat(provider.test(running)).as("status checks").isEmpty();

        provider.startSnapshot(running, "backup-1", "u-launch", false);
        provider.startSnapshot(running, "backup-1", "u-launch", false);
        assertThat(provider.snapshotProgress("backup-1")).isEqualTo(100);
        List<String> snapshots = ec2
                .describeSnapshots(r -> r.ownerIds("self").filters(filter("tag:" + Ec2Fleet.SNAPSHOT, "backup-1")))
                .snapshots()
                .stream()
                .map(s -> s.snapshotId())
                .toList();
        assertThat(snapshots).as("one EBS snapshot, taken once").hasSize(1);
        String volume = i.blockDeviceMappings().stream()
                .filter(b -> b.deviceName().equals(Ec2Fleet.DATA_DEVICE))
                .findFirst()
                .orElseThrow()
                .ebs()
                .volumeId();
        assertThat(ec2.describeSnapshots(r -> r.snapshotIds(snapshots))
                        .snapshots()
                        .get(0)
                        .volumeId())
                .as("the snapshot is of the data volume")
                .isEqualTo(volume);

        ServerView fromBackup = server("srv-new", "db-4", Role.SLAVE, "u-launch", "postgresql", "large");
        provider.launch("shop", fromBackup, new CloudProvider.Launch(running, "backup-1"));
        Instance second = instances("tag:" + Ec2Fleet.SERVER, "srv-new").get(0);
        assertThat(second.instanceTypeAsString()).isEqualTo("m6i.large");
        String dataVolume = second.blockDeviceMappings().stream()
                .filter(b -> b.deviceName().equals(Ec2Fleet.DATA_DEVICE))
                .findFirst()
                .orElseThrow()
                .ebs()
                .volumeId();
        assertThat(ec2.describeVolumes(r -> r.volumeIds(dataVolume))
                        .volumes()
                        .get(0)
                        .snapshotId())
                .as("a server from a primary backup gets its data volume from the snapshot")
                .isEqualTo(snapshots.get(0));

        provider.terminate(running);
        provider.terminate(running);
        assertThat(ec2.describeInstances(r -> r.instanceIds(i.instanceId()))
                        .reservations()
                        .get(0)
                        .instances()
                        .get(0)
                        .state()
                        .nameAsString())
                .isEqualTo("terminated");
        provider.deleteSnapshot("backup-1");
        provider.deleteSnapshot("backup-1");
        assertThatThrownBy(() -> provider.snapshotProgress("backup-1")).hasMessageContaining("no EBS snapshot");
        provider.terminate(placed(fromBackup, "x:5432"));
    }

    @Test
    void refusesAConfigurationItCannotMapSayingWhy() {
        ServerView odd = server("srv-odd", "db-9", Role.SLAVE, "u-odd", "postgresql", "huge");
        assertThatThrownBy(() -> provider.launch("shop", odd, new CloudProvider.Launch(null, null)))
                .hasMessageContaining("instance size huge");
        ServerView noImage = new ServerView(
                "srv-noimg",
                "db-9",
                Role.SLAVE,
                new ServerConfig(
                        "t", 1, "aws", "us-east-1", "us-east-1a", "small", List.of("db"), "ops", "ubuntu-99", null),
                ServerState.DEFINED,
                null,
                null,
                Map.of(),
                List.of(),
                "u-odd");
        assertThatThrownBy(() -> provider.launch("shop", noImage, new CloudProvider.Launch(null, null)))
                .hasMessageContaining("no AMI named ubuntu-99");
        assertThat(instances("tag:" + Ec2Fleet.UPGRADE, "u-odd")).isEmpty();
    }

    @Test
    void theFirewallIsTheSecurityGroupsIngressRules() throws Exception {
        assertThat(provider.firewallRules(List.of("db"), 5432)).hasValue(List.of(new FirewallRule("db", 5432, "app")));
        assertThat(provider.firewallRules(List.of("db"), 22))
                .hasValue(List.of(new FirewallRule("db", 22, "10.0.0.0/8")));
        assertThat(provider.firewallRules(List.of("db"), 3306)).hasValue(List.of());
        assertThat(provider.firewallRules(List.of("db-v2"), 5432)).hasValue(List.of());
    }

    @Test
    void serverArraysAreAutoScalingGroups() throws Exception {
        ec2.createLaunchTemplate(r -> r.launchTemplateName("shop-app")
                .launchTemplateData(d -> d.imageId(image).instanceType("t3.small"))
                .tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.LAUNCH_TEMPLATE)
                        .tags(Tag.builder()
                                .key(Ec2Fleet.TEMPLATE)
                                .value("Shop App Server")
                                .build())
                        .build()));
        ec2.createLaunchTemplateVersion(r -> r.launchTemplateName("shop-app")
                .launchTemplateData(d -> d.imageId(image).instanceType("t3.large")));
        autoscaling.createAutoScalingGroup(r -> r.autoScalingGroupName("app-array")
                .launchTemplate(t -> t.launchTemplateName("shop-app").version("1"))
                .minSize(0)
                .maxSize(2)
                .desiredCapacity(0)
                .availabilityZones("us-east-1a"));

        provider.syncArrays("shop", List.of(new ServerArrayView("app-array", "Shop App Server", 1, false)));
        assertThat(suspended()).containsAll(Ec2Fleet.LAUNCHING);
        assertThat(group().launchTemplate().version()).isEqualTo("1");

        provider.syncArrays("shop", List.of(new ServerArrayView("app-array", "Shop App Server", 2, true)));
        assertThat(suspended()).doesNotContainAnyElementsOf(Ec2Fleet.LAUNCHING);
        assertThat(group().launchTemplate().version()).isEqualTo("2");

        // the undo: the array as it was
        provider.syncArrays("shop", List.of(new ServerArrayView("app-array", "Shop App Server", 1, true)));
        assertThat(group().launchTemplate().version()).isEqualTo("1");

        assertThatThrownBy(() -> provider.syncArrays(
                        "shop", List.of(new ServerArrayView("app-array", "Shop App Server", 3, true))))
                .hasMessageContaining("has no version 3");
        assertThatThrownBy(() ->
                        provider.syncArrays("shop", List.of(new ServerArrayView("nope", "Shop App Server", 1, true))))
                .hasMessageContaining("no Auto Scaling group");
    }

    @Test
    void registeringFindsInstancesByTheirTags() throws Exception {
        ec2.runInstances(r -> r.imageId(image)
                .minCount(1)
                .maxCount(1)
                .instanceType("t3.small")
                .tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.INSTANCE)
                        .tags(
                                Tag.builder().key("Name").value("app-1").build(),
                                Tag.builder()
                                        .key(Ec2Fleet.DEPLOYMENT)
                                        .value("legacy")
                                        .build())
                        .build()));
        ServerView app1 = new ServerView(
                "a1", "app-1", Role.APP, null, ServerState.OPERATIONAL, null, null, Map.of(), List.of(), null);
        ServerView given = new ServerView(
                "a2",
                "app-2",
                Role.APP,
                null,
                ServerState.OPERATIONAL,
                "10.1.2.3:8080",
                null,
                Map.of(),
                List.of(),
                null);
        Map<String, String> addresses =
                provider.provision(new DeploymentView("legacy", List.of(app1, given), List.of(), Map.of(), List.of()));
        assertThat(addresses.get("a1")).endsWith(":8080").doesNotStartWith("null");
        assertThat(addresses.get("a2")).isEqualTo("10.1.2.3:8080");
        ServerView missing = new ServerView(
                "a3", "app-3", Role.APP, null, ServerState.OPERATIONAL, null, null, Map.of(), List.of(), null);
        assertThatThrownBy(() -> provider.provision(
                        new DeploymentView("legacy", List.of(missing), List.of(), Map.of(), List.of())))
                .hasMessageContaining("app-3 has no address");
    }

    /**
     * A rolled-back upgrade whose cloud-service died after RunInstances and before the inventory heard the address:
     * the undo's terminate finds nothing to terminate, the sweep finds the instance by its tag.
     */
    @Test
    void theSweepAfterARollbackLeavesNothingTaggedButTheKeptBackup() throws Exception {
        ServerView known = server("srv-known", "db-5", Role.SLAVE, "u-rollback", "postgresql", "small");
        ServerView orphan = server("srv-orphan", "db-6", Role.SLAVE, "u-rollback", "mariadb", "small");
        String address = provider.launch("shop", known, new CloudProvider.Launch(null, null));
        provider.launch("shop", orphan, new CloudProvider.Launch(null, null));
        ServerView running = placed(known, address);
        provider.startSnapshot(running, "kept-backup", "u-rollback", true);
        provider.startSnapshot(running, "undone-backup", "u-rollback", false);
        ServerView bystander = server("srv-other", "db-7", Role.SLAVE, "u-other", "postgresql", "small");
        provider.launch("shop", bystander, new CloudProvider.Launch(null, null));

        provider.terminate(running);
        List<String> removed = provider.sweep("shop", "u-rollback");

        assertThat(removed).hasSize(2).anyMatch(id -> id.startsWith("i-")).anyMatch(id -> id.startsWith("snap-"));
        List<String> left = new Ec2Fleet(ec2, autoscaling, Ec2Fleet.Settings.defaults()).tagged("u-rollback");
        assertThat(left).as("tagged with the upgrade after the sweep").hasSize(1);
        assertThat(ec2.describeSnapshots(r -> r.snapshotIds(left))
                        .snapshots()
                        .get(0)
                        .tags())
                .extracting(Tag::key, Tag::value)
                .contains(org.assertj.core.groups.Tuple.tuple(Ec2Fleet.SNAPSHOT, "kept-backup"));
        assertThat(provider.sweep("shop", "u-rollback")).as("a second sweep").isEmpty();
        assertThat(instances("tag:" + Ec2Fleet.SERVER, "srv-other"))
                .as("another upgrade's instance")
                .hasSize(1);
        provider.terminate(placed(bystander, "x:5432"));
    }

    private static List<Instance> instances(String filter, String value) {
        return ec2
                .describeInstances(r -> r.filters(
                        filter(filter, value), filter("instance-state-name", "pending", "running", "stopped")))
                .reservations()
                .stream()
                .flatMap(x -> x.instances().stream())
                .toList();
    }

    private static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    private static AutoScalingGroup group() {
        return autoscaling
                .describeAutoScalingGroups(r -> r.autoScalingGroupNames("app-array"))
                .autoScalingGroups()
                .get(0);
    }

    private static List<String> suspended() {
        return group().suspendedProcesses().stream()
                .map(SuspendedProcess::processName)
                .toList();
    }
}
