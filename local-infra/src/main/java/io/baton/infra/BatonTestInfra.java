package io.baton.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Kafka broker and a real PostgreSQL for a service's {@code @QuarkusTest}s, started once per test JVM. The
 * {@code database} init argument names the service's database.
 */
public class BatonTestInfra implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgresServer postgres;
    private String database = "baton_planner";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (kafka == null) {
                kafka = EmbeddedKafka.start();
                postgres = EmbeddedPostgresServer.start(0, null);
                Runtime.getRuntime().addShutdownHook(new Thread(BatonTestInfra::closeAll));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test Kafka and PostgreSQL", e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
        config.put("quarkus.datasource.username", postgres.user());
        config.put("baton.test.postgres.jdbc-url", postgres.jdbcUrl(database));
        // the services' tests inject faults; a production service has /faults off
        config.put("baton.saga.faults-enabled", "true");
        return config;
    }

    public static String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; closed by the shutdown hook
    }

    private static void closeAll() {
        try {
            kafka.close();
            postgres.close();
        } catch (Exception ignored) {
            // the JVM is exiting
        }
    }
}
