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
    /**
     * A running copy of a service: {@code instance} 0 is the one every stack has, on the port the options name; more
     * replicas ({@link #startReplica}) take free ports and their own {@code BATON_INSTANCE_ID}.
     */
    public record Replica(Service service, int instance) {
        /** Its name as the service's runs and leases record their owner: {@code lb-1}, ... */
        public String owner() {
            return service.name().toLowerCase(java.util.Locale.ROOT) + "-" + instance;
        }
    }

    private final Map<Replica, Integer> ports = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Replica, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
    /** The replicas seen ready since they were last started: where requests go first. */
    private final java.util.Set<Replica> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
                stack.ports.put(new Replica(s, 0), port == 0 ? freePort() : port);
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

    /** Every service on a free port. */
    public static Map<Service, Integer> anyPorts() {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, 0);
        }
        return ports;
    }

    /** Starts (or restarts) one service's process: its first replica. */
    public void startService(Service s) throws IOException {
        startReplica(new Replica(s, 0));
    }

    /**
     * Starts (or restarts) a replica of a service beside the others: same database, same consumer group, its own
     * HTTP port and instance id (its runs' owner, its static group membership). Returns without waiting for it to be
     * ready ({@link #awaitReady(Replica, Duration)}).
     */
    public void startReplica(Replica r) throws IOException {
        Service s = r.service();
        ready.remove(r);
        ports.computeIfAbsent(r, any -> {
            try {
                return freePort();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
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
        env.putAll(environment(r));
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(r).toFile()));
        processes.put(r, builder.start());
    }

    private Path log(Replica r) {
        String name = r.service().module + (r.instance() == 0 ? "" : "-" + r.instance());
        return options.stateDir().resolve("logs").resolve(name + ".log");
    }

    Map<String, String> environment(Service s) {
        return environment(new Replica(s, 0));
    }

    Map<String, String> environment(Replica r) {
        Service s = r.service();
        Map<String, String> env = new HashMap<>();
        env.put("BATON_KAFKA", kafka.bootstrapServers());
        // each service signs in to the broker as itself; the ACLs let it write its own topics only
        String user = s.name().toLowerCase(java.util.Locale.ROOT);
        env.put("BATON_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("BATON_KAFKA_USER", user);
        env.put("BATON_KAFKA_PASSWORD", kafka.passwords().get(user));
        env.put("BATON_DB_USER", postgres.user());
        env.put(s.portVariable, Integer.toString(ports.get(r)));
        env.put("BATON_INSTANCE_ID", Integer.toString(r.instance()));
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
        awaitReady(new Replica(s, 0), timeout);
    }

    public void awaitReady(Replica r, Duration timeout) throws Exception {
        URI health = URI.create(url(r) + "/q/health/ready");
        Path log = log(r);
        String name = r.service().module + " " + r.instance();
        try {
            Wait.forThe(name + " to be ready", timeout)
                    .every(Duration.ofMillis(50))
                    .stopIf(() -> !processes.get(r).isAlive(), name + " exited")
                    .ignoring(IOException.class)
                    .until(() -> http.send(
                                            HttpRequest.newBuilder(health)
                                                    .timeout(Duration.ofSeconds(2))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200);
            ready.add(r);
        } catch (Wait.Unfinished e) {
            throw new IllegalStateException(e.getMessage() + "; see " + log);
        }
    }

    /** Stops a service the polite way (SIGTERM), as a rolling deploy would, and waits until it has exited. */
    public void stop(Service s) throws InterruptedException {
        stop(new Replica(s, 0));
    }

    public void stop(Replica r) throws InterruptedException {
        ready.remove(r);
        Process p = processes.get(r);
        p.destroy();
        p.waitFor();
    }

    /** Kills a service the hard way (SIGKILL): no shutdown hook, no flush, as a crash would. */
    public void kill(Service s) throws InterruptedException {
        kill(new Replica(s, 0));
    }

    public void kill(Replica r) throws InterruptedException {
        ready.remove(r);
        Process p = processes.get(r);
        p.destroyForcibly();
        p.waitFor();
    }

    /** The process id of a service's first replica, for what the operating system says of it (its memory, say). */
    public long pid(Service s) {
        return pid(new Replica(s, 0));
    }

    public long pid(Replica r) {
        return processes.get(r).pid();
    }

    /** The replicas of a service this stack started, alive or not, first one first. */
    public List<Replica> replicas(Service s) {
        return processes.keySet().stream()
                .filter(r -> r.service() == s)
                .sorted(java.util.Comparator.comparingInt(Replica::instance))
                .toList();
    }

    public boolean alive(Replica r) {
        Process p = processes.get(r);
        return p != null && p.isAlive();
    }

    /** Where a service answers: its first replica seen ready, else the first that runs, else the first one. */
    public String url(Service s) {
        List<Replica> all = replicas(s);
        return all.stream()
                .filter(r -> ready.contains(r) && alive(r))
                .findFirst()
                .or(() -> all.stream().filter(this::alive).findFirst())
                .map(this::url)
                .orElseGet(() -> url(new Replica(s, 0)));
    }

    public String url(Replica r) {
        return "http://127.0.0.1:" + ports.get(r);
    }

    /** Where a service's own database is, over JDBC: for what PostgreSQL's statistics say of it. */
    public String jdbcUrl(Service s) {
        return postgres.jdbcUrl(s.database) + "?user=" + postgres.user();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Freezes Baton's own PostgreSQL for {@code pause}, as a stalled database host would be. */
    public void freezeStatePostgres(Duration pause) throws Exception {
        postgres.freeze(pause);
    }

    /** Takes the Kafka broker away for {@code outage} and brings it back, as a broker restart would. */
    public void kafkaOutage(Duration outage) throws InterruptedException {
        kafka.outage(outage);
    }

    /** The log of a service's first replica. */
    public Path log(Service s) {
        return log(new Replica(s, 0));
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
            fleet.machines().forEach(m -> m.host().close());
            Os.deleteTree(fleet.root());
        }
    }

    /** The deployments' passwords of the local cloud this stack runs on, if it runs on one (no machine is reached). */
    public java.util.Optional<io.baton.local.Secrets> localSecrets() {
        return java.util.Optional.ofNullable(options.extraConfig().get(LOCAL_ROOT))
                .map(root -> new LocalFleet(Path.of(root), LocalFleet.Settings.defaults()).secrets());
    }

    /**
     * The local cloud this stack runs on, if it runs on one, with the machines its configuration lists (servers
     * placed on them are reached there; the caller closes their connections).
     */
    public java.util.Optional<LocalFleet> localFleet() {
        Map<String, String> config = options.extraConfig();
        return java.util.Optional.ofNullable(config.get(LOCAL_ROOT)).map(root -> {
            String machines = config.getOrDefault("baton.local.machines", "");
            if (machines.isBlank()) {
                return new LocalFleet(Path.of(root), LocalFleet.Settings.defaults());
            }
            try {
                return new LocalFleet(
                        Path.of(root),
                        LocalFleet.Settings.defaults(),
                        io.baton.local.LocalHost.INSTANCE,
                        io.baton.local.Machine.connectAll(
                                java.util.List.of(machines.split(",")),
                                Path.of(config.getOrDefault("baton.local.machine-root", "/var/lib/baton")),
                                Path.of(config.get("baton.local.ssh.key")),
                                Path.of(config.get("baton.local.ssh.known-hosts")),
                                java.time.Duration.ofSeconds(10)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
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
