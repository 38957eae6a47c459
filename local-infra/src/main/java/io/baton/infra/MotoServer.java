package io.baton.infra;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;

/**
 * A local EC2 and Auto Scaling API emulator (moto's server) on a free loopback port, for the aws provider's tests.
 * Only API calls go to it: the addresses it hands out are not real and nothing is sent to them.
 */
public final class MotoServer implements AutoCloseable {

    private final Process process;
    private final int port;

    private MotoServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Whether this machine has moto's server for python3; where BATON_REQUIRE_REAL is set (CI), its absence is an
     * error rather than a reason to skip.
     */
    public static boolean available() throws java.io.IOException, InterruptedException {
        boolean installed = new ProcessBuilder("python3", "-c", "import moto.server")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor()
                == 0;
        if (!installed && System.getenv("BATON_REQUIRE_REAL") != null) {
            throw new AssertionError("BATON_REQUIRE_REAL is set but moto (python3 -m moto.server) is not installed");
        }
        return installed;
    }

    /** What a test that needs it says when it is skipped. */
    public static final String MISSING = "moto is not installed: python3 -m moto.server is the EC2 emulator it needs";

    /** Starts it and returns once it listens. */
    public static MotoServer start() throws Exception {
        int port = LoopbackDaemon.freePort();
        Path log = Files.createTempFile("baton-moto", ".log");
        Process p = LoopbackDaemon.start(
                "moto",
                List.of("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", Integer.toString(port)),
                log,
                "127.0.0.1",
                port,
                Duration.ofSeconds(30));
        return new MotoServer(p, port);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("baton-test", "baton-test"));

    /** A client of its EC2 API, for a test to set up and look. */
    public Ec2Client ec2() {
        return Ec2Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint())
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** A client of its Auto Scaling API. */
    public AutoScalingClient autoscaling() {
        return AutoScalingClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint())
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /**
     * What an account holds before Baton comes: an image named debian-12, a key pair ops, security groups app, db
     * (admitting app on 5432) and lb. Returns the image's id.
     */
    public String seed(Ec2Client ec2) {
        String image = ec2.registerImage(r -> r.name("debian-12").rootDeviceName("/dev/xvda"))
                .imageId();
        ec2.createKeyPair(r -> r.keyName("ops"));
        String app = ec2.createSecurityGroup(r -> r.groupName("app").description("application servers"))
                .groupId();
        String db = ec2.createSecurityGroup(r -> r.groupName("db").description("database servers"))
                .groupId();
        ec2.createSecurityGroup(r -> r.groupName("lb").description("load balancers"));
        ec2.authorizeSecurityGroupIngress(r -> r.groupId(db)
                .ipPermissions(IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(5432)
                        .toPort(5432)
                        .userIdGroupPairs(UserIdGroupPair.builder().groupId(app).build())
                        .build()));
        return image;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
