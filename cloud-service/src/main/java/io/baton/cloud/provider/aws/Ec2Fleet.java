package io.baton.cloud.provider.aws;

import io.baton.cloud.provider.CloudProvider;
import io.baton.common.Wait;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.Engine;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerArrayView;
import io.baton.contracts.fleet.ServerView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.autoscaling.model.SuspendedProcess;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * A deployment's servers as EC2 instances, its server arrays as Auto Scaling groups, its primary backups as EBS
 * snapshots, in one region. Every resource Baton makes carries tags ({@value #DEPLOYMENT}, {@value #SERVER},
 * {@value #UPGRADE}) by which a call made again after a crash finds it instead of making another, and by which a
 * sweep after a rollback finds whatever the upgrade left.
 *
 * <p>Mapping from a server's configuration: image → AMI (an {@code ami-} id, or the name of an image this account
 * can see), instance size → instance type ({@link Settings#instanceTypes}, or an EC2 type such as {@code m6i.large}
 * as it is), security groups → the groups of those names, SSH key → key pair, zone → the subnet tagged {@value
 * #ZONE} with that name, else the first subnet of that availability zone. A database server gets its data on a
 * separate EBS volume ({@value #DATA_DEVICE}), made from the primary backup's snapshot when it starts from one; the
 * primary backup is a snapshot of that volume.
 */
public final class Ec2Fleet {

    public static final String DEPLOYMENT = "baton:deployment";
    public static final String SERVER = "baton:server";
    public static final String UPGRADE = "baton:upgrade";
    public static final String SNAPSHOT = "baton:snapshot";
    public static final String KEPT = "baton:kept";
    public static final String ZONE = "baton:zone";
    public static final String TEMPLATE = "baton:template";
    static final String DATA_DEVICE = "/dev/sdf";

    /** The Auto Scaling processes that launch instances: what disabling an array suspends. */
    static final List<String> LAUNCHING = List.of("Launch", "AZRebalance", "ReplaceUnhealthy");

    private static final List<String> LIVE = List.of("pending", "running", "stopping", "stopped");
    private static final Pattern EC2_TYPE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9]+");

    /**
     * @param instanceTypes the EC2 instance type of each instance size name
     * @param dataVolumeGiB the size of a database server's data volume
     * @param appPort the port application servers answer on
     * @param poll how often a wait asks EC2
     */
    public record Settings(Map<String, String> instanceTypes, int dataVolumeGiB, int appPort, Duration poll) {

        public static Settings defaults() {
            return new Settings(
                    Map.of(
                            "small", "t3.small",
                            "medium", "t3.medium",
                            "large", "t3.large",
                            "xlarge", "t3.xlarge"),
                    100,
                    8080,
                    Duration.ofSeconds(2));
        }
    }

    private final Ec2Client ec2;
    private final AutoScalingClient autoscaling;
    private final Settings settings;

    public Ec2Fleet(Ec2Client ec2, AutoScalingClient autoscaling, Settings settings) {
        this.ec2 = ec2;
        this.autoscaling = autoscaling;
        this.settings = settings;
    }

    /**
     * Runs the server's instance, or finds the one a call before a crash ran (by its {@value #SERVER} tag; the
     * client token makes EC2 itself return it too), and returns its private address and the server's port.
     */
    public String launch(String deployment, ServerView server, CloudProvider.Launch how) {
        Optional<Instance> existing = instance(server.id());
        if (existing.isPresent()) {
            return address(server, existing.get());
        }
        ServerConfig c = server.config();
        List<Tag> tags = List.of(
                tag("Name", server.name()),
                tag(DEPLOYMENT, deployment),
                tag(SERVER, server.id()),
                tag(UPGRADE, server.createdBy() == null ? "none" : server.createdBy()));
        var request = RunInstancesRequest.builder()
                .imageId(image(c.image()))
                .instanceType(instanceType(c.instanceSize()))
                .minCount(1)
                .maxCount(1)
                .clientToken(clientToken(server))
                .userData(userData(deployment, server, how))
                .tagSpecifications(
                        TagSpecification.builder()
                                .resourceType(ResourceType.INSTANCE)
                                .tags(tags)
                                .build(),
                        TagSpecification.builder()
                                .resourceType(ResourceType.VOLUME)
                                .tags(tags)
                                .build());
        if (c.sshKey() != null) {
            request.keyName(c.sshKey());
        }
        if (c.zone() != null) {
            request.subnetId(subnet(c.zone()));
        }
        if (c.securityGroups() != null && !c.securityGroups().isEmpty()) {
            request.securityGroupIds(groupIds(c.securityGroups()));
        }
        if (database(server)) {
            EbsBlockDevice.Builder volume = EbsBlockDevice.builder()
                    .volumeSize(settings.dataVolumeGiB())
                    .volumeType(VolumeType.GP3)
                    .deleteOnTermination(true);
            if (how != null && how.fromSnapshot() != null) {
                volume.snapshotId(snapshot(how.fromSnapshot())
                        .map(Snapshot::snapshotId)
                        .orElseThrow(() -> new IllegalStateException("the primary backup " + how.fromSnapshot()
                                + " has no EBS snapshot tagged " + SNAPSHOT + "; it was deleted or never taken")));
            }
            request.blockDeviceMappings(BlockDeviceMapping.builder()
                    .deviceName(DATA_DEVICE)
                    .ebs(volume.build())
                    .build());
        }
        Instance launched = ec2.runInstances(request.build()).instances().get(0);
        return address(server, launched);
    }

    /** Waits until the instance runs and both its status checks pass. */
    public void awaitOperational(ServerView server, Duration timeout) throws Exception {
        Wait.forThe(server.name() + "'s instance to run and pass its status checks", timeout)
                .every(settings.poll())
                .until(() -> statusChecks(server).isEmpty());
    }

    /** What fails now of the instance's state and status checks; nothing when it runs and both pass. */
    public List<String> statusChecks(ServerView server) {
        Instance i = instance(server.id())
                .orElseThrow(() -> new IllegalStateException(
                        server.name() + " has no running instance tagged " + SERVER + "=" + server.id()));
        if (i.state().name() != InstanceStateName.RUNNING) {
            return List.of(
                    server.name() + " (" + i.instanceId() + ") is " + i.state().nameAsString());
        }
        List<InstanceStatus> statuses = ec2.describeInstanceStatus(
                        r -> r.instanceIds(i.instanceId()).includeAllInstances(true))
                .instanceStatuses();
        if (statuses.isEmpty()) {
            return List.of(server.name() + " (" + i.instanceId() + ") has no status checks yet");
        }
        InstanceStatus s = statuses.get(0);
        List<String> failed = new ArrayList<>();
        if (!"ok".equals(s.instanceStatus().statusAsString())) {
            failed.add(server.name() + "'s instance status check is "
                    + s.instanceStatus().statusAsString());
        }
        if (!"ok".equals(s.systemStatus().statusAsString())) {
            failed.add(server.name() + "'s system status check is "
                    + s.systemStatus().statusAsString());
        }
        return failed;
    }

    /** Starts an EBS snapshot of the server's data volume, unless one with this Baton id exists. */
    public void startSnapshot(ServerView server, String snapshotId, String upgradeId, boolean kept) {
        if (snapshot(snapshotId).isPresent()) {
            return;
        }
        Instance i = instance(server.id())
                .or(() -> server.address() == null ? Optional.empty() : byAddress(server.address()))
                .orElseThrow(() -> new IllegalStateException(server.name() + " has no running instance to back up"));
        String volume = i.blockDeviceMappings().stream()
                .filter(b -> DATA_DEVICE.equals(b.deviceName()))
                .findFirst()
                .or(() -> i.blockDeviceMappings().stream().findFirst())
                .map(b -> b.ebs().volumeId())
                .orElseThrow(() -> new IllegalStateException(
                        server.name() + " (" + i.instanceId() + ") has no EBS" + " volume to snapshot"));
        ec2.createSnapshot(r -> r.volumeId(volume)
                .description("Baton primary backup of " + server.name())
                .tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.SNAPSHOT)
                        .tags(
                                tag(SNAPSHOT, snapshotId),
                                tag(SERVER, server.id()),
                                tag(UPGRADE, upgradeId),
                                tag(KEPT, Boolean.toString(kept)))
                        .build()));
    }

    /** The snapshot's progress, 100 once completed; fails when EBS reports it failed. */
    public int snapshotProgress(String snapshotId) {
        Snapshot s = snapshot(snapshotId)
                .orElseThrow(
                        () -> new IllegalStateException("no EBS snapshot is tagged " + SNAPSHOT + "=" + snapshotId));
        if (s.state() == SnapshotState.ERROR) {
            throw new IllegalStateException("EBS snapshot " + s.snapshotId() + " failed: " + s.stateMessage());
        }
        if (s.state() == SnapshotState.COMPLETED) {
            return 100;
        }
        String progress = s.progress() == null ? "0%" : s.progress();
        return Math.min(99, Integer.parseInt(progress.replace("%", "").strip()));
    }

    public void deleteSnapshot(String snapshotId) {
        snapshot(snapshotId).ifPresent(s -> ec2.deleteSnapshot(r -> r.snapshotId(s.snapshotId())));
    }

    /** Terminates the server's instance and waits until EC2 says it is terminated. */
    public void terminate(ServerView server, Duration timeout) throws Exception {
        List<String> ids =
                instances(List.of(Filter.builder()
                                .name("tag:" + SERVER)
                                .values(server.id())
                                .build()))
                        .stream()
                        .map(Instance::instanceId)
                        .toList();
        if (ids.isEmpty() && server.address() != null) {
            ids = byAddress(server.address()).map(i -> List.of(i.instanceId())).orElse(List.of());
        }
        terminate(ids, timeout);
    }

    private void terminate(List<String> ids, Duration timeout) throws Exception {
        if (ids.isEmpty()) {
            return;
        }
        ec2.terminateInstances(r -> r.instanceIds(ids));
        Wait.forThe("instances " + ids + " to terminate", timeout)
                .every(settings.poll())
                .until(() -> ec2.describeInstances(r -> r.instanceIds(ids)).reservations().stream()
                        .flatMap(res -> res.instances().stream())
                        .allMatch(i -> i.state().name() == InstanceStateName.TERMINATED));
    }

    /**
     * The addresses of a registered deployment's servers: the one registered, else the private address of the
     * instance tagged with the deployment and the server's name.
     */
    public Map<String, String> provision(String deployment, List<ServerView> servers) {
        Map<String, String> addresses = new LinkedHashMap<>();
        for (ServerView s : servers) {
            if (s.address() != null) {
                addresses.put(s.id(), s.address());
                continue;
            }
            Instance i = instances(List.of(
                            Filter.builder()
                                    .name("tag:" + DEPLOYMENT)
                                    .values(deployment)
                                    .build(),
                            Filter.builder().name("tag:Name").values(s.name()).build()))
                    .stream()
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("server " + s.name() + " has no address and no"
                            + " EC2 instance is tagged " + DEPLOYMENT + "=" + deployment + " and Name=" + s.name()
                            + "; give its address or tag its instance"));
            addresses.put(s.id(), address(s, i));
        }
        return addresses;
    }

    /**
     * The rules of the named security groups that admit TCP on {@code port}, with the source as a group name (when
     * the source is a group) or a CIDR block.
     */
    public List<FirewallRule> firewallRules(List<String> groupNames, int port) {
        if (groupNames.isEmpty()) {
            return List.of();
        }
        // one call: the groups asked for, and the names of the groups their rules admit
        List<SecurityGroup> all = ec2.describeSecurityGroups().securityGroups();
        Map<String, String> names = new LinkedHashMap<>();
        all.forEach(g -> names.put(g.groupId(), g.groupName()));
        List<SecurityGroup> groups =
                all.stream().filter(g -> groupNames.contains(g.groupName())).toList();
        List<FirewallRule> rules = new ArrayList<>();
        for (SecurityGroup g : groups) {
            for (IpPermission p : g.ipPermissions()) {
                boolean tcp = "tcp".equals(p.ipProtocol()) || "-1".equals(p.ipProtocol());
                boolean covers = "-1".equals(p.ipProtocol())
                        || (p.fromPort() != null && p.fromPort() <= port && p.toPort() != null && p.toPort() >= port);
                if (!tcp || !covers) {
                    continue;
                }
                for (UserIdGroupPair pair : p.userIdGroupPairs()) {
                    rules.add(
                            new FirewallRule(g.groupName(), port, names.getOrDefault(pair.groupId(), pair.groupId())));
                }
                p.ipRanges().forEach(range -> rules.add(new FirewallRule(g.groupName(), port, range.cidrIp())));
            }
        }
        return rules;
    }

    /**
     * Makes each array's Auto Scaling group match it: launches suspended while the array is disabled and resumed
     * when it is enabled; its launch template at the array's template revision (version), the template being the
     * one tagged {@value #TEMPLATE} with the array's server template, else the group's own.
     */
    public void syncArrays(List<ServerArrayView> arrays) {
        for (ServerArrayView array : arrays) {
            AutoScalingGroup group =
                    autoscaling
                            .describeAutoScalingGroups(r -> r.autoScalingGroupNames(array.name()))
                            .autoScalingGroups()
                            .stream()
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException("server array " + array.name()
                                    + " has no Auto Scaling group of that name in this region"));
            if (array.templateRevision() != null) {
                LaunchTemplateSpecification now = group.launchTemplate();
                String template = launchTemplate(array.serverTemplate())
                        .map(LaunchTemplate::launchTemplateName)
                        .orElse(now == null ? null : now.launchTemplateName());
                if (template == null) {
                    throw new IllegalStateException("Auto Scaling group " + group.autoScalingGroupName()
                            + " has no launch template, and none is tagged " + TEMPLATE + "=" + array.serverTemplate());
                }
                String version = array.templateRevision().toString();
                if (now == null || !template.equals(now.launchTemplateName()) || !version.equals(now.version())) {
                    requireVersion(template, version);
                    autoscaling.updateAutoScalingGroup(r -> r.autoScalingGroupName(group.autoScalingGroupName())
                            .launchTemplate(LaunchTemplateSpecification.builder()
                                    .launchTemplateName(template)
                                    .version(version)
                                    .build()));
                }
            }
            TreeSet<String> suspended = new TreeSet<>(group.suspendedProcesses().stream()
                    .map(SuspendedProcess::processName)
                    .toList());
            if (!array.enabled() && !suspended.containsAll(LAUNCHING)) {
                autoscaling.suspendProcesses(r ->
                        r.autoScalingGroupName(group.autoScalingGroupName()).scalingProcesses(LAUNCHING));
            } else if (array.enabled() && LAUNCHING.stream().anyMatch(suspended::contains)) {
                autoscaling.resumeProcesses(r ->
                        r.autoScalingGroupName(group.autoScalingGroupName()).scalingProcesses(LAUNCHING));
            }
        }
    }

    /**
     * Removes what an upgrade left tagged with its id: instances not terminated (waited on), and snapshots not kept
     * by design (the backup before migrations is). Returns what it removed.
     */
    public List<String> sweep(String upgradeId, Duration timeout) throws Exception {
        List<String> removed = new ArrayList<>();
        List<String> ids =
                instances(List.of(Filter.builder()
                                .name("tag:" + UPGRADE)
                                .values(upgradeId)
                                .build()))
                        .stream()
                        .map(Instance::instanceId)
                        .toList();
        terminate(ids, timeout);
        removed.addAll(ids);
        for (Snapshot s : ec2.describeSnapshots(r -> r.ownerIds("self")
                        .filters(Filter.builder()
                                .name("tag:" + UPGRADE)
                                .values(upgradeId)
                                .build()))
                .snapshots()) {
            boolean kept = s.tags().stream()
                    .anyMatch(t -> t.key().equals(KEPT) && t.value().equals("true"));
            if (!kept) {
                ec2.deleteSnapshot(r -> r.snapshotId(s.snapshotId()));
                removed.add(s.snapshotId());
            }
        }
        return removed;
    }

    /** Everything still tagged with the upgrade: live instances and snapshots (kept ones included). */
    public List<String> tagged(String upgradeId) {
        Filter byUpgrade =
                Filter.builder().name("tag:" + UPGRADE).values(upgradeId).build();
        List<String> found = new ArrayList<>();
        instances(List.of(byUpgrade)).forEach(i -> found.add(i.instanceId()));
        ec2.describeSnapshots(r -> r.ownerIds("self").filters(byUpgrade))
                .snapshots()
                .forEach(s -> found.add(s.snapshotId()));
        return found;
    }

    private void requireVersion(String template, String version) {
        boolean exists =
                ec2
                        .describeLaunchTemplateVersions(r -> r.launchTemplateName(template))
                        .launchTemplateVersions()
                        .stream()
                        .anyMatch(v -> version.equals(String.valueOf(v.versionNumber())));
        if (!exists) {
            throw new IllegalStateException("launch template " + template + " has no version " + version
                    + "; create it (the template revision's AMI, instance type and groups) before the upgrade");
        }
    }

    private Optional<LaunchTemplate> launchTemplate(String serverTemplate) {
        if (serverTemplate == null) {
            return Optional.empty();
        }
        return ec2
                .describeLaunchTemplates(r -> r.filters(Filter.builder()
                        .name("tag:" + TEMPLATE)
                        .values(serverTemplate)
                        .build()))
                .launchTemplates()
                .stream()
                .findFirst();
    }

    /** The server's live instance (pending to stopped), by its tag. */
    Optional<Instance> instance(String serverId) {
        return instances(List.of(
                        Filter.builder().name("tag:" + SERVER).values(serverId).build()))
                .stream()
                .findFirst();
    }

    private Optional<Instance> byAddress(String address) {
        String host = address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
        return instances(List.of(
                        Filter.builder().name("private-ip-address").values(host).build()))
                .stream()
                .findFirst();
    }

    private List<Instance> instances(List<Filter> filters) {
        List<Filter> all = new ArrayList<>(filters);
        all.add(Filter.builder().name("instance-state-name").values(LIVE).build());
        return ec2.describeInstancesPaginator(r -> r.filters(all)).reservations().stream()
                .flatMap(r -> r.instances().stream())
                .toList();
    }

    private Optional<Snapshot> snapshot(String snapshotId) {
        return ec2
                .describeSnapshots(r -> r.ownerIds("self")
                        .filters(Filter.builder()
                                .name("tag:" + SNAPSHOT)
                                .values(snapshotId)
                                .build()))
                .snapshots()
                .stream()
                .findFirst();
    }

    private String image(String image) {
        if (image == null) {
            throw new IllegalArgumentException("the server's configuration names no image (an AMI id or name)");
        }
        if (image.startsWith("ami-")) {
            return image;
        }
        List<Image> found = ec2.describeImages(r ->
                        r.filters(Filter.builder().name("name").values(image).build()))
                .images();
        return found.stream()
                .map(Image::imageId)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no AMI named " + image + " is visible in this region and account"));
    }

    String instanceType(String size) {
        if (size == null) {
            throw new IllegalArgumentException("the server's configuration names no instance size");
        }
        String type = settings.instanceTypes().get(size);
        if (type != null) {
            return type;
        }
        if (EC2_TYPE.matcher(size).matches()) {
            return size;
        }
        throw new IllegalArgumentException("instance size " + size + " is neither an EC2 instance type nor one of "
                + new TreeSet<>(settings.instanceTypes().keySet()) + " (baton.cloud.aws.instance-types)");
    }

    private String subnet(String zone) {
        List<Subnet> tagged = ec2.describeSubnets(r -> r.filters(
                        Filter.builder().name("tag:" + ZONE).values(zone).build()))
                .subnets();
        if (!tagged.isEmpty()) {
            return tagged.get(0).subnetId();
        }
        return ec2
                .describeSubnets(r -> r.filters(
                        Filter.builder().name("availability-zone").values(zone).build()))
                .subnets()
                .stream()
                .map(Subnet::subnetId)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("zone " + zone + " is neither a subnet tagged " + ZONE
                        + " nor an availability zone with a subnet in this region"));
    }

    private List<String> groupIds(List<String> names) {
        List<SecurityGroup> groups = ec2.describeSecurityGroups(r -> r.filters(
                        Filter.builder().name("group-name").values(names).build()))
                .securityGroups();
        List<String> missing = new ArrayList<>(names);
        groups.forEach(g -> missing.remove(g.groupName()));
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no security group is named " + missing + " in this region");
        }
        return groups.stream().map(SecurityGroup::groupId).toList();
    }

    private String address(ServerView server, Instance i) {
        int port = database(server) ? Engine.of(server.config().engine()).port() : settings.appPort();
        return i.privateIpAddress() + ":" + port;
    }

    private static boolean database(ServerView server) {
        return server.role() == Role.MASTER || server.role() == Role.SLAVE;
    }

    /**
     * What the instance's first boot is told (cloud-init runs it): who it is and how it starts. The host image's own
     * bootstrap reads {@code /etc/baton/server.env}; Baton then reaches the host over SSH.
     */
    private static String userData(String deployment, ServerView server, CloudProvider.Launch how) {
        StringBuilder env = new StringBuilder()
                .append("BATON_DEPLOYMENT=")
                .append(deployment)
                .append('\n')
                .append("BATON_SERVER=")
                .append(server.name())
                .append('\n')
                .append("BATON_ROLE=")
                .append(server.role())
                .append('\n');
        if (server.config().engine() != null) {
            env.append("BATON_ENGINE=").append(server.config().engine()).append('\n');
        }
        if (how != null && how.replicaOf() != null) {
            env.append("BATON_REPLICA_OF=").append(how.replicaOf().address()).append('\n');
        }
        if (how != null && how.fromSnapshot() != null) {
            env.append("BATON_DATA_FROM_SNAPSHOT=").append(how.fromSnapshot()).append('\n');
        }
        String script = "#!/bin/sh\nmkdir -p /etc/baton\ncat > /etc/baton/server.env <<'BATON'\n" + env + "BATON\n";
        return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
    }

    /** At most 64 ASCII characters, the same for the same upgrade and server: EC2 runs one instance per token. */
    static String clientToken(ServerView server) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((server.createdBy() + "/" + server.id()).getBytes(StandardCharsets.UTF_8));
            return "baton-" + HexFormat.of().formatHex(digest).substring(0, 48);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
