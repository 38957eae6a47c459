package io.baton.infra;

import io.baton.common.Tokens;
import io.baton.contracts.api.Roles;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Kafka broker and a real PostgreSQL for a service's {@code @QuarkusTest}s, started once per test JVM. The
 * {@code database} init argument names the service's database. The service trusts a key generated for the JVM, and
 * every RestAssured request carries a token of it with every role, unless a test says otherwise ({@link #token}).
 */
public class BatonTestInfra implements QuarkusTestResourceLifecycleManager {

    /** The JVM's test broker: started by the first test resource, found by later ones through a system property. */
    private static final String SHARED_BROKER = "baton.test.kafka";

    private static EmbeddedKafka kafka;
    private static String bootstrap;
    private static EmbeddedPostgresServer postgres;
    private static Tokens.Keys keys;
    private String database = "baton_planner";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (bootstrap == null) {
                // a test profile restarts Quarkus in another class loader, which must not start a second broker:
                // Kafka's SASL providers are registered JVM-wide, by the first class loader's classes
                bootstrap = System.getProperty(SHARED_BROKER);
                if (bootstrap == null) {
                    kafka = EmbeddedKafka.start();
                    bootstrap = kafka.bootstrapServers();
                    System.setProperty(SHARED_BROKER, bootstrap);
                }
                postgres = EmbeddedPostgresServer.start(0, null);
                keys = Tokens.keys(Files.createTempDirectory("baton-test-keys").resolve("keys"));
                DefaultToken.use(token("tester", Roles.ALL.toArray(String[]::new)));
                Runtime.getRuntime().addShutdownHook(new Thread(BatonTestInfra::closeAll));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test Kafka and PostgreSQL", e);
        }
        Map<String, String> config = new HashMap<>();
        // the service signs in as itself, as in production: the broker's ACLs apply to it
        String service = database.substring(database.indexOf('_') + 1);
        EmbeddedKafka.config(bootstrap, service)
                .forEach((key, value) -> config.put("kafka." + key, String.valueOf(value)));
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
        config.put("quarkus.datasource.username", postgres.user());
        config.put("baton.test.postgres.jdbc-url", postgres.jdbcUrl(database));
        config.put("mp.jwt.verify.publickey.location", keys.verifying().toUri().toString());
        // the services' tests inject faults; a production service has /faults off
        config.put("baton.saga.faults-enabled", "true");
        return config;
    }

    /** A token the service under test accepts, for {@code subject} with {@code roles}, valid for an hour. */
    public static String token(String subject, String... roles) {
        try {
            return Tokens.mint(keys.signing(), subject, List.of(roles), Duration.ofHours(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; closed by the shutdown hook
    }

    private static void closeAll() {
        try {
            if (kafka != null) {
                kafka.close();
            }
            postgres.close();
        } catch (Exception ignored) {
            // the JVM is exiting
        }
    }
}
