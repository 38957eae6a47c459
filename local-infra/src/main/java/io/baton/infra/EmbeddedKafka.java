package io.baton.infra;

import io.baton.common.OwnerOnly;
import io.baton.contracts.Owner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (KRaft: broker and controller in one) running in this JVM, with authentication and
 * authorization on, as Baton's broker should run anywhere. Clients authenticate with SASL/SCRAM-SHA-512 (the
 * controller listener, which SCRAM cannot serve before the metadata exists, with SASL/PLAIN and the admin alone);
 * the StandardAuthorizer denies what no ACL allows. Users: {@code admin} (the broker itself, topic and ACL set-up,
 * the tests' probes), one per service (writes {@code baton.<service>.*} only, reads every Baton topic, its consumer
 * group {@code baton-<service>}) and {@code watcher} (reads only). Passwords are random, kept in a 0600 file when the
 * broker keeps its data.
 */
public final class EmbeddedKafka implements AutoCloseable {

    public static final String ADMIN = "admin";
    public static final String WATCHER = "watcher";
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** Brokers of this JVM by bootstrap address, so that a test's probe can sign in as admin. */
    private static final Map<String, EmbeddedKafka> RUNNING = new ConcurrentHashMap<>();

    private volatile KafkaRaftServer server;
    private final Map<String, Object> config;
    private final int port;
    private final Path dataDir;
    private final boolean temporary;
    private final Map<String, String> passwords;

    private EmbeddedKafka(
            KafkaRaftServer server,
            Map<String, Object> config,
            int port,
            Path dataDir,
            boolean temporary,
            Map<String, String> passwords) {
        this.server = server;
        this.config = config;
        this.port = port;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.passwords = passwords;
    }

    /** A broker on a free port and a temporary log directory, removed on close. */
    public static EmbeddedKafka start() throws Exception {
        return start(0, null);
    }

    /**
     * @param port the client port, 0 for a free one
     * @param dataDir where the log lives and is kept between runs; null for a temporary directory
     */
    public static EmbeddedKafka start(int port, Path dataDir) throws Exception {
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("baton-kafka") : Files.createDirectories(dataDir);
        Map<String, String> passwords = passwords(temporary ? null : dir.resolve("users.properties"));
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        String admin = passwords.get(ADMIN);
        Map<String, Object> config = new HashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put(
                "listeners", "SASL_PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + clientPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        config.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        config.put("sasl.enabled.mechanisms", MECHANISM);
        config.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        config.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scramLogin(ADMIN, admin));
        config.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        config.put("sasl.mechanism.controller.protocol", "PLAIN");
        config.put(
                "listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                        + "\" password=\"" + admin + "\" user_" + ADMIN + "=\"" + admin + "\";");
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:" + ADMIN);
        config.put("allow.everyone.if.no.acl.found", "false");
        config.put("log.dirs", dir.toString());
        config.put("num.partitions", "6");
        config.put("auto.create.topics.enable", "false");
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        List<String> scram = new ArrayList<>();
        passwords.forEach((user, password) -> scram.add(MECHANISM + "=[name=" + user + ",password=" + password + "]"));
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(dir.toString()))
                .setMetadataLogDirectory(dir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setScramArguments(scram)
                .setIgnoreFormatted(true)
                .run();
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafka kafka = new EmbeddedKafka(server, config, clientPort, dir, temporary, passwords);
        try {
            kafka.setUp();
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        RUNNING.put(kafka.bootstrapServers(), kafka);
        // for code of this JVM loaded by another class loader (a Quarkus test's), which sees other statics
        passwords.forEach((user, password) -> System.setProperty(property(kafka.bootstrapServers(), user), password));
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The users and their passwords. */
    public Map<String, String> passwords() {
        return Map.copyOf(passwords);
    }

    /** What a client signing in as {@code user} adds to its bootstrap.servers. */
    public Map<String, Object> clientConfig(String user) {
        return clientConfig(bootstrapServers(), user, passwords.get(user));
    }

    public static Map<String, Object> clientConfig(String bootstrap, String user, String password) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", MECHANISM);
        config.put("sasl.jaas.config", scramLogin(user, password));
        return config;
    }

    /** The admin's client settings for a broker running in this JVM; plain bootstrap.servers for any other. */
    public static Map<String, Object> adminConfig(String bootstrap) {
        return config(bootstrap, ADMIN);
    }

    /** {@code user}'s client settings for a broker running in this JVM; plain bootstrap.servers for any other. */
    public static Map<String, Object> config(String bootstrap, String user) {
        EmbeddedKafka kafka = RUNNING.get(bootstrap);
        if (kafka != null) {
            return kafka.clientConfig(user);
        }
        String password = System.getProperty(property(bootstrap, user));
        if (password != null) {
            return clientConfig(bootstrap, user, password);
        }
        Map<String, Object> plain = new HashMap<>();
        plain.put("bootstrap.servers", bootstrap);
        return plain;
    }

    private static String property(String bootstrap, String user) {
        return "baton.embedded-kafka." + bootstrap + "." + user;
    }

    /** Creates every Baton topic and lets each user do what it should, and nothing more. */
    private void setUp() throws Exception {
        try (Admin admin = Admin.create(clientConfig(ADMIN))) {
            List<NewTopic> topics = new ArrayList<>();
            for (Owner o : Owner.values()) {
                topics.add(new NewTopic(o.topic(), 6, (short) 1));
                topics.add(new NewTopic(o.deadLetterTopic(), 6, (short) 1));
            }
            try {
                admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            List<AclBinding> acls = new ArrayList<>();
            for (Owner o : Owner.values()) {
                String user = o.code();
                // its own topics: write, create (TopicInitializer), describe
                for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE)) {
                    acls.add(allow(user, ResourceType.TOPIC, "baton." + user + ".", op));
                }
                // every Baton topic: read, in its own consumer group
                acls.add(allow(user, ResourceType.TOPIC, "baton.", AclOperation.READ));
                acls.add(allow(user, ResourceType.TOPIC, "baton.", AclOperation.DESCRIBE));
                acls.add(allow(user, ResourceType.GROUP, "baton-" + user, AclOperation.READ));
            }
            acls.add(allow(WATCHER, ResourceType.TOPIC, "baton.", AclOperation.READ));
            acls.add(allow(WATCHER, ResourceType.TOPIC, "baton.", AclOperation.DESCRIBE));
            // Kafka's console consumer reads in a group: the watcher may use groups named watcher-*
            acls.add(allow(WATCHER, ResourceType.GROUP, "watcher-", AclOperation.READ));
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
        }
        // the broker's authorizer learns of the ACLs from the metadata log a moment later: wait until each service
        // may see its own topic
        for (Owner o : Owner.values()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try (Admin as = Admin.create(clientConfig(o.code()))) {
                while (true) {
                    try {
                        as.describeTopics(List.of(o.topic())).allTopicNames().get(10, TimeUnit.SECONDS);
                        break;
                    } catch (java.util.concurrent.ExecutionException notYet) {
                        if (System.nanoTime() > deadline) {
                            throw notYet;
                        }
                        Thread.sleep(50);
                    }
                }
            }
        }
    }

    private static AclBinding allow(String user, ResourceType type, String prefix, AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, prefix, PatternType.PREFIXED),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /** Every user's password: read from {@code file} when it exists, made and written (0600) otherwise. */
    private static Map<String, String> passwords(Path file) throws IOException {
        Map<String, String> passwords = file == null ? new LinkedHashMap<>() : OwnerOnly.readProperties(file);
        if (!passwords.isEmpty()) {
            return passwords;
        }
        passwords.put(ADMIN, randomPassword());
        for (Owner o : Owner.values()) {
            passwords.put(o.code(), randomPassword());
        }
        passwords.put(WATCHER, randomPassword());
        if (file != null) {
            OwnerOnly.writeProperties(file, passwords, "Kafka users of Baton's local broker");
        }
        return passwords;
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static String scramLogin(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /**
     * Takes the broker away for {@code outage} and brings it back with its logs, on the same port: what its clients
     * see of a broker restart (connections refused, then the same topics, offsets and users again).
     */
    public synchronized void outage(Duration outage) throws InterruptedException {
        server.shutdown();
        server.awaitShutdown();
        Thread.sleep(outage.toMillis());
        KafkaRaftServer again = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        again.startup();
        server = again;
    }

    @Override
    public void close() throws IOException {
        RUNNING.remove(bootstrapServers());
        passwords.keySet().forEach(user -> System.clearProperty(property(bootstrapServers(), user)));
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
