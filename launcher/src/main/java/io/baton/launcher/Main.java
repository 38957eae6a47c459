package io.baton.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.common.OwnerOnly;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.api.Roles;
import io.baton.infra.EmbeddedKafka;
import io.baton.launcher.Stack.Service;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ./baton demo}: start everything, register the sample deployment, run a minor database upgrade and print its
 * timeline live, then stay up. {@code ./baton up}: the same without the sample upgrade.
 */
public final class Main {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The launcher's own bearer token, with every role: it registers deployments and runs upgrades. */
    private static volatile String token;

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length > 0 ? args[0] : "help";
        if (io.baton.launcher.cli.Cli.handles(command)) {
            System.exit(io.baton.launcher.cli.Cli.run(
                    args,
                    System.getenv(),
                    new java.io.PrintWriter(System.out, true),
                    new java.io.PrintWriter(System.err, true)));
        }
        boolean exit = List.of(args).contains("--exit");
        if (command.equals("watch") && args.length > 1) {
            watch(args[1]);
            return;
        }
        boolean real = List.of(args).contains("--real");
        if (command.equals("token")) {
            System.exit(Token.main(Path.of(System.getProperty("baton.home", ".")), args));
        }
        if (command.equals("manifests")) {
            System.exit(Manifests.main(Path.of(System.getProperty("baton.home", ".")), args));
        }
        if (command.equals("bench")) {
            Bench.main(args);
            return;
        }
        if (!command.equals("demo") && !command.equals("up")) {
            System.out.println(
                    """
                    usage: ./baton demo [--exit]   start Baton, run a sample database upgrade, print its timeline live
                           ./baton demo --real [--exit]
                                                   the database upgrade on real PostgreSQL and MariaDB pairs while
                                                   an application writes, then an application upgrade behind a real
                                                   HAProxy while clients send requests (local cloud)
                           ./baton bench db [--runs N] [--engine postgresql|mariadb]
                                                   N real database upgrades per engine under write load
                           ./baton bench app [--runs N]
                                                   N real application upgrades behind HAProxy under request load
                           ./baton bench saga [--warm-up N] [--sequential N] [--concurrent N] [--kill-run N]
                                                   the choreography's speed on the sim fleet at zero latency
                           ./baton bench faults [--upgrades N] [--parallel N] [--seed S]
                                                   the fault campaign: upgrades under kills and outages, checked
                           ./baton up              start Baton and stay up
                           ./baton token [--role R[,R...]] [--name NAME] [--ttl PT8H]
                                                   print a bearer token for the local stack; roles: viewer,
                                                   operator, approver, library, admin (default viewer)
                           ./baton watch HOST:PORT print every Baton event on that broker as it arrives (CloudEvents
                                                   headers and JSON data), from the start of the topics; signs in
                                                   as the local stack's read-only user (.baton/kafka-watcher.properties)
                                                   or with the client properties in BATON_KAFKA_CONFIG
                    operators' commands, against a running Baton (BATON_URL, BATON_CLOUD_URL; token in BATON_TOKEN):
                           ./baton upgrade start|list|status|watch|approve|abort ...
                                                   ./baton upgrade --help, ./baton upgrade watch --help, ...
                           ./baton deployments [NAME]
                           ./baton completion      a bash/zsh completion script: source <(./baton completion)
                           ./baton manifests [DIR] Kubernetes manifests, two replicas a service (deploy/kubernetes)
                    ports: BATON_PLANNER_PORT (7070) BATON_CLOUD_PORT (7071) BATON_DB_SERVICE_PORT (7072)
                           BATON_LB_PORT (7073) BATON_KAFKA_PORT (9092) BATON_POSTGRES_PORT (0: any free port)""");
            System.exit(command.equals("help") ? 0 : 2);
        }
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        ports.put(Service.PLANNER, env("BATON_PLANNER_PORT", 7070));
        ports.put(Service.CLOUD, env("BATON_CLOUD_PORT", 7071));
        ports.put(Service.DB, env("BATON_DB_SERVICE_PORT", 7072));
        ports.put(Service.LB, env("BATON_LB_PORT", 7073));
        Path home =
                Path.of(System.getProperty("baton.home", ".")).toAbsolutePath().normalize();
        Path state = home.resolve(".baton");
        Map<String, String> config = Map.of();
        if (real) {
            requireRealServers();
            config = Stack.localCloud(Path.of("/tmp/baton-local-demo"));
            say("the local cloud keeps its servers under /tmp/baton-local-demo; they stop with Baton");
        }
        say("starting Kafka (KRaft) and PostgreSQL from jars, then the four services; logs in "
                + state.resolve("logs"));
        long started = System.currentTimeMillis();
        Stack stack = Stack.start(new Stack.Options(
                home, ports, env("BATON_KAFKA_PORT", 9092), env("BATON_POSTGRES_PORT", 0), state, false, config));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stack.close();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        signIn(stack);
        say("Baton is up in " + (System.currentTimeMillis() - started) + " ms");
        for (Service s : Service.values()) {
            say(String.format("  %-20s %s", s.module, stack.url(s)));
        }
        say("  kafka                " + stack.bootstrapServers() + "  (SASL/SCRAM with ACLs; watch it: ./baton watch "
                + stack.bootstrapServers() + ")");
        say("every request needs a bearer token; mint one and use it, e.g.:");
        say("  TOKEN=$(./baton token --role viewer,operator,approver)");
        say("  curl -H \"Authorization: Bearer $TOKEN\" " + stack.url(Service.PLANNER) + "/upgrades");
        if (command.equals("demo") && real) {
            demoReal(stack);
        } else if (command.equals("demo")) {
            demo(stack);
        }
        if (exit) {
            stack.close();
            System.exit(0);
        }
        say("press Ctrl-C to stop");
        new CountDownLatch(1).await();
    }

    private static void demo(Stack stack) throws Exception {
        String deployment;
        try (InputStream in = Main.class.getResourceAsStream("/sample-deployment.json")) {
            deployment = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        HttpResponse<String> registered = post(stack.url(Service.CLOUD) + "/deployments", deployment);
        say("registered deployment 'shop' (db-1 master, db-2 slave, app-1 and app-2 in array app-array, lb-1): HTTP "
                + registered.statusCode());
        try (KafkaConsumer<String, String> consumer = tail(stack.bootstrapServers())) {
            say("");
            say("1. a minor database upgrade: the slave's instance size, medium to large");
            run(
                    stack,
                    consumer,
                    """
                    {"deployment": "shop", "kind": "database", "change": {"instanceSize": "large"}}""");
            say("");
            say("2. an application upgrade: v1.5.0 of the code, template revision 8, one additive migration");
            run(
                    stack,
                    consumer,
                    """
                    {"deployment": "shop", "kind": "application",
                     "source": {"repository": "https://git.example.com/shop.git", "ref": "v1.5.0"},
                     "inputs": {"FEATURE_INVOICES": "on"}, "serverChange": {"templateRevision": 8},
                     "migrations": [{"name": "order-notes", "up": "CREATE TABLE order_notes (id bigint, body text)",
                                     "down": "DROP TABLE order_notes"}],
                     "sessionTtl": "PT5M", "smokeTest": {"path": "/health", "expectedStatus": 200}}""");
            JsonNode fleet = Json.mapper()
                    .readTree(
                            get(stack.url(Service.CLOUD) + "/deployments/shop").body());
            say("");
            say("the fleet now:");
            for (JsonNode server : fleet.get("servers")) {
                say(String.format(
                        "  %-6s %-7s %-12s %-7s rev %-3s %s",
                        server.get("name").asText(),
                        server.get("role").asText(),
                        server.get("state").asText(),
                        server.at("/config/instanceSize").asText(),
                        server.at("/config/templateRevision").asText(),
                        server.get("address").isNull()
                                ? ""
                                : server.get("address").asText()));
            }
        }
    }

    /** The database upgrade on a real PostgreSQL pair, then a real MariaDB pair, each while an application writes. */
    private static void demoReal(Stack stack) throws Exception {
        try (KafkaConsumer<String, String> consumer = tail(stack.bootstrapServers())) {
            int n = 1;
            for (String engine : List.of("postgresql", "mariadb")) {
                String deployment = "shop-" + (engine.equals("mariadb") ? "maria" : "pg");
                RealUpgrade upgrade = new RealUpgrade(stack, engine, deployment);
                say("");
                say(n++ + ". " + engine + ": registering " + deployment
                        + " starts db-1 (master) and db-2 (its replica) for real, and the write path;"
                        + " an application then writes a row every millisecond or so through it");
                upgrade.prepare();
                String id = run(stack, consumer, upgrade.request());
                if (id != null) {
                    say("  " + RealUpgrade.describe(upgrade.finish(id)));
                }
            }
            RealSiteUpgrade site = new RealSiteUpgrade(stack, "shop");
            say("");
            say(n + ". an application upgrade behind a real HAProxy: registering 'shop' starts a PostgreSQL pair,"
                    + " app-1 and app-2 (the demo application, v1.4.2) and lb-1 (HAProxy); four clients then send"
                    + " requests through lb-1 throughout");
            site.prepare();
            site.started();
            String id = run(stack, consumer, site.request());
            if (id != null) {
                say("  " + RealSiteUpgrade.describe(site.finish(id)));
            }
        }
    }

    static void requireRealServers() {
        List<String> missing = new ArrayList<>();
        missing.addAll(io.baton.local.Engines.missingTools("postgresql"));
        missing.addAll(io.baton.local.Engines.missingTools("mariadb"));
        if (!io.baton.local.Os.installed("haproxy")) {
            missing.add("haproxy");
        }
        if (!missing.isEmpty()) {
            say("the local cloud needs " + missing + "; install them with: bin/install-local-cloud (apt packages"
                    + " postgresql-15 pgbouncer mariadb-server mariadb-backup haproxy)");
            System.exit(2);
        }
    }

    /** Starts one upgrade, prints its plan, then its events as they arrive, until it ends. */
    private static String run(Stack stack, KafkaConsumer<String, String> consumer, String request) throws Exception {
        HttpResponse<String> created = post(stack.url(Service.PLANNER) + "/upgrades", request);
        if (created.statusCode() != 201) {
            say("the planner refused the upgrade: " + created.body());
            return null;
        }
        JsonNode plan = Json.mapper().readTree(created.body());
        String id = plan.get("id").asText();
        say("POST /upgrades -> 201: upgrade " + id);
        say("  " + plan.get("classification").asText() + ": "
                + plan.get("reason").asText());
        for (JsonNode step : plan.get("plan")) {
            say(String.format(
                    "  %2d %-7s %-25s %s",
                    step.get("index").asInt(),
                    step.get("owner").asText(),
                    step.get("name").asText(),
                    step.get("action").asText()));
        }
        say("timeline, live from the topics:");
        follow(consumer, id, Duration.ofMinutes(5));
        JsonNode upgrade = Json.mapper()
                .readTree(get(stack.url(Service.PLANNER) + "/upgrades/" + id).body());
        say("upgrade " + id + " is " + upgrade.get("state").asText() + "; GET " + stack.url(Service.PLANNER)
                + "/upgrades/" + id + " has the full timeline");
        return id;
    }

    /** Prints every event of every Baton topic, oldest first, then new ones as they come, until Ctrl-C. */
    private static void watch(String bootstrap) throws java.io.IOException {
        Map<String, Object> config = new HashMap<>();
        // how to sign in: BATON_KAFKA_CONFIG (a client properties file), or the local stack's read-only user
        String file = System.getenv("BATON_KAFKA_CONFIG");
        Path settings = file != null && !file.isBlank()
                ? Path.of(file)
                : Path.of(System.getProperty("baton.home", "."), ".baton", Stack.WATCHER_FILE);
        config.putAll(OwnerOnly.readProperties(settings));
        config.put("bootstrap.servers", bootstrap);
        config.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Owner owner : Owner.values()) {
                for (String topic : List.of(owner.topic(), owner.deadLetterTopic())) {
                    consumer.partitionsFor(topic, Duration.ofSeconds(30))
                            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    StringBuilder headers = new StringBuilder();
                    r.headers().forEach(h -> headers.append(' ')
                            .append(h.key())
                            .append('=')
                            .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
                    System.out.printf(
                            "%s partition %d offset %d key %s%n %s%n %s%n%n",
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            r.key(),
                            headers.toString().trim(),
                            r.value());
                }
            }
        }
    }

    /** A consumer of every Baton topic from its end: what is published from now on. */
    public static KafkaConsumer<String, String> tail(String bootstrap) {
        Map<String, Object> config = new HashMap<>(EmbeddedKafka.config(bootstrap, EmbeddedKafka.WATCHER));
        config.put("enable.auto.commit", "false");
        KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (Owner owner : Owner.values()) {
            consumer.partitionsFor(owner.topic(), Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static void follow(KafkaConsumer<String, String> consumer, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (!id.equals(r.key())) {
                    continue;
                }
                String type = new String(r.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8);
                SagaEvent e = Json.read(r.value(), SagaEvent.class);
                String step =
                        e.step() >= 0 ? e.step() + " " + e.slip().step(e.step()).name() : "";
                String extra = e.reason() != null ? "  (" + e.reason() + ")" : "";
                System.out.printf("  %s  %-38s %s%s%n", LocalTime.now().format(CLOCK), type, step, extra);
                switch (e.phase()) {
                    case UPGRADE_COMPLETED, UPGRADE_ROLLED_BACK, UPGRADE_FAILED -> {
                        return;
                    }
                    default -> {}
                }
            }
        }
        say("no end of the upgrade within " + timeout);
    }

    /** From now on, the launcher's requests to {@code stack} carry a token of it. */
    public static void signIn(Stack stack) {
        token = stack.token("baton-launcher", Duration.ofDays(1), Roles.ALL.toArray(String[]::new));
    }

    public static HttpResponse<String> post(String url, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value);
    }

    public static void say(String line) {
        System.out.println(line);
    }
}
