package io.baton.launcher;

import io.baton.common.OwnerOnly;
import io.baton.common.Tokens;
import io.baton.common.Wait;
import io.baton.infra.EmbeddedKafka;
import io.baton.infra.EmbeddedPostgresServer;
import io.baton.local.LocalFleet;
import io.baton.local.Os;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Baton on one machine: a real Kafka broker and a real PostgreSQL in this JVM, and each service as its own process
 * from its packaged jar. Used by ./baton and by the end-to-end tests.
 */
public final class Stack implements AutoCloseable {

    public enum Service {
        PLANNER("planner-service", "BATON_PLANNER_PORT", "BATON_PLANNER_DB_URL", "baton_planner"),
        CLOUD("cloud-service", "BATON_CLOUD_PORT", "BATON_CLOUD_DB_URL", "baton_cloud"),
        DB("db-upgrade-service", "BATON_DB_SERVICE_PORT", "BATON_DB_DB_URL", "baton_db"),
        LB("lb-service", "BATON_LB_PORT", "BATON_LB_DB_URL", "baton_lb");

        final String module;
        final String portVariable;
        final String databaseVariable;
        final String database;

        Service(String module, String portVariable, String databaseVariable, String database) {
            this.module = module;
            this.portVariable = portVariable;
            this.databaseVariable = databaseVariable;
            this.database = database;
        }
    }

    /**
     * @param ports HTTP port of each service; 0 picks a free one
     * @param stateDir where logs (and, when {@code keepData}, Kafka and PostgreSQL data) live
     * @param extraConfig system properties passed to every service, e.g. sim latencies
     */
    public record Options(
            Path home,
            Map<Service, Integer> ports,
            int kafkaPort,
            int postgresPort,
            Path stateDir,
            boolean keepData,
            Map<String, String> extraConfig) {}

    private final Options options;
    private final EmbeddedKafka kafka;
    private final EmbeddedPostgresServer postgres;
    private final Map<Service, Integer> ports = new EnumMap<>(Service.class);
    private final Map<Service, Process> processes = new EnumMap<>(Service.class);
    private final Tokens.Keys keys;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Stack(Options options, EmbeddedKafka kafka, EmbeddedPostgresServer postgres, Tokens.Keys keys) {
        this.options = options;
        this.kafka = kafka;
        this.postgres = postgres;
        this.keys = keys;
    }

    public static Stack start(Options options) throws Exception {
        for (Service s : Service.values()) {
            Path jar = jar(options.home(), s);
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: build first with ./mvnw -DskipTests install");
            }
        }
        Files.createDirectories(options.stateDir().resolve("logs"));
        // the services trust tokens signed by this key; kept across runs, so that minted tokens stay valid
        Tokens.Keys keys = Tokens.keys(keysDir(options.stateDir()));
        EmbeddedKafka kafka = EmbeddedKafka.start(
                options.kafkaPort(), options.keepData() ? options.stateDir().resolve("kafka") : null);
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(
                options.postgresPort(), options.keepData() ? options.stateDir().resolve("postgres") : null);
        Stack stack = new Stack(options, kafka, postgres, keys);
        // ./baton watch reads the topics as the broker's read-only user
        OwnerOnly.writeProperties(
                options.stateDir().resolve(WATCHER_FILE),
                kafka.clientConfig(EmbeddedKafka.WATCHER),
                "how ./baton watch signs in to the local broker");
        try {
            for (Service s : Service.values()) {
                int port = options.ports().getOrDefault(s, 0);
                stack.ports.put(s, port == 0 ? freePort() : port);
            }
            for (Service s : Service.values()) {
                stack.startService(s);
            }
            for (Service s : Service.values()) {
                stack.awaitReady(s, Duration.ofSeconds(90));
            }
        } catch (Exception e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    private static Path jar(Path home, Service s) {
        return home.resolve(s.module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Starts (or restarts) one service's process. */
    public void startService(Service s) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String javaOptions = System.getenv().getOrDefault("BATON_SERVICE_JAVA_OPTS", SERVICE_JAVA_OPTIONS);
        command.addAll(List.of(javaOptions.trim().split("\\s+")));
        String jfr = System.getenv("BATON_JFR");
        if (jfr != null && !jfr.isBlank()) {
            // a flight recording of each service, to see where a benchmark's time goes
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + Path.of(jfr).resolve(s.module + ".jfr"));
        }
        // the launcher runs demos, benchmarks and tests: fault injection on (off by default in a service); a later
        // -D in extraConfig turns it off again
        command.add("-Dbaton.saga.faults-enabled=true");
        options.extraConfig().forEach((k, v) -> command.add("-D" + k + "=" + v));
        if (options.extraConfig().containsKey(LOCAL_ROOT)) {
            // the local cloud launches the demo application as its application servers
            Path app = options.home().resolve("demo-app/target");
            command.add("-Dbaton.local.app-classpath=" + app.resolve("demo-app-0.1.0-SNAPSHOT.jar") + ":"
                    + app.resolve("lib") + "/*");
        }
        command.add("-jar");
        command.add(jar(options.home(), s).toString());
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.putAll(environment(s));
        Path log = options.stateDir().resolve("logs").resolve(s.module + ".log");
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        processes.put(s, builder.start());
    }

    Map<String, String> environment(Service s) {
        Map<String, String> env = new HashMap<>();
        env.put("BATON_KAFKA", kafka.bootstrapServers());
        // each service signs in to the broker as itself; the ACLs let it write its own topics only
        String user = s.name().toLowerCase(java.util.Locale.ROOT);
        env.put("BATON_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("BATON_KAFKA_USER", user);
        env.put("BATON_KAFKA_PASSWORD", kafka.passwords().get(user));
        env.put("BATON_DB_USER", postgres.user());
        env.put(s.portVariable, Integer.toString(ports.get(s)));
        env.put(s.databaseVariable, postgres.reactiveUrl(s.database));
        env.put("BATON_CLOUD_URL", url(Service.CLOUD));
        env.put("BATON_JWT_PUBLIC_KEY", keys.verifying().toUri().toString());
        return env;
    }

    /** The client settings of the broker's read-only user, for ./baton watch. */
    public static final String WATCHER_FILE = "kafka-watcher.properties";

    /** Settings for a Kafka client of this stack's broker, signed in as {@code user} (admin, watcher, a service). */
    public Map<String, Object> kafkaClient(String user) {
        return kafka.clientConfig(user);
    }

    /** Where a stack with this state directory keeps its token key pair. */
    public static Path keysDir(Path stateDir) {
        return stateDir.resolve("keys");
    }

    public Tokens.Keys keys() {
        return keys;
    }

    /** A token this stack's services accept, for {@code subject} with {@code roles}. */
    public String token(String subject, Duration ttl, String... roles) {
        try {
            return Tokens.mint(keys.signing(), subject, List.of(roles), ttl);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void awaitReady(Service s, Duration timeout) throws Exception {
        URI health = URI.create(url(s) + "/q/health/ready");
        Path log = options.stateDir().resolve("logs").resolve(s.module + ".log");
        try {
            Wait.forThe(s.module + " to be ready", timeout)
                    .every(Duration.ofMillis(50))
                    .stopIf(() -> !processes.get(s).isAlive(), s.module + " exited")
                    .ignoring(IOException.class)
                    .until(() -> http.send(
                                            HttpRequest.newBuilder(health)
                                                    .timeout(Duration.ofSeconds(2))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200);
        } catch (Wait.Unfinished e) {
            throw new IllegalStateException(e.getMessage() + "; see " + log);
        }
    }

    /** Stops a service the polite way (SIGTERM), as a rolling deploy would, and waits until it has exited. */
    public void stop(Service s) throws InterruptedException {
        Process p = processes.get(s);
        p.destroy();
        p.waitFor();
    }

    /** Kills a service the hard way (SIGKILL): no shutdown hook, no flush, as a crash would. */
    public void kill(Service s) throws InterruptedException {
        Process p = processes.get(s);
        p.destroyForcibly();
        p.waitFor();
    }

    /** The process id of a service, for what the operating system says of it (its memory, say). */
    public long pid(Service s) {
        return processes.get(s).pid();
    }

    public String url(Service s) {
        return "http://127.0.0.1:" + ports.get(s);
    }

    /** Where a service's own database is, over JDBC: for what PostgreSQL's statistics say of it. */
    public String jdbcUrl(Service s) {
        return postgres.jdbcUrl(s.database) + "?user=" + postgres.user();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Path logs() {
        return options.stateDir().resolve("logs");
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes.values()) {
            p.destroy();
        }
        for (Process p : processes.values()) {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        kafka.close();
        postgres.close();
        java.util.Optional<LocalFleet> local = localFleet();
        if (local.isPresent() && !options.keepData()) {
            // the local cloud's servers outlive the services by design; a stack that keeps nothing stops them
            LocalFleet fleet = local.get();
            fleet.stopAll();
            Os.deleteTree(fleet.root());
        }
    }

    /** The local cloud this stack runs on, if it runs on one. */
    public java.util.Optional<LocalFleet> localFleet() {
        return java.util.Optional.ofNullable(options.extraConfig().get(LOCAL_ROOT))
                .map(root -> new LocalFleet(Path.of(root), LocalFleet.Settings.defaults()));
    }

    /** The configuration that runs the stack on the local cloud: real servers under {@code root}. */
    public static Map<String, String> localCloud(Path root) {
        return Map.of(
                "baton.cloud.provider",
                "local",
                "baton.db.driver",
                "local",
                "baton.lb.driver",
                "haproxy",
                LOCAL_ROOT,
                root.toAbsolutePath().toString());
    }

    private static final String LOCAL_ROOT = "baton.local.root";

    /**
     * How the services' JVMs run on one machine beside Kafka, PostgreSQL and each other: the client compiler only and
     * the serial collector. Measured on two cores (docs/benchmarks.md), the server compiler's own work outweighs
     * what it gains within minutes, and startup and throughput both improve; BATON_SERVICE_JAVA_OPTS replaces it.
     */
    static final String SERVICE_JAVA_OPTIONS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
