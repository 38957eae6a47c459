package io.baton.saga;

import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether the service can do its work now: its Kafka broker answers and its own database runs a statement, each within
 * {@link #TIMEOUT_SECONDS}. A replica whose broker or database is away says so on {@code /q/health/ready} (503, with
 * the reason under {@code kafka} or {@code database}) instead of taking requests it cannot carry out; its runs wait
 * and retry meanwhile, bounded by their own timeouts.
 */
@Readiness
@ApplicationScoped
public class DependencyReadiness implements HealthCheck {

    static final int TIMEOUT_SECONDS = 3;

    private final Map<String, Object> kafka;
    private final Tx tx;
    private Admin admin;

    public DependencyReadiness(@Identifier("default-kafka-broker") Map<String, Object> kafka, Tx tx) {
        this.kafka = kafka;
        this.tx = tx;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder answer =
                HealthCheckResponse.named("Baton's broker and database").up();
        String broker = broker();
        String database = database();
        answer.withData("kafka", broker == null ? "reachable" : broker);
        answer.withData("database", database == null ? "reachable" : database);
        if (broker != null || database != null) {
            answer.down();
        }
        return answer.build();
    }

    /** Why the broker is not usable, or null when it answers. */
    private String broker() {
        return problem(() -> admin().describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_SECONDS * 1000))
                .nodes()
                .get(TIMEOUT_SECONDS + 1, TimeUnit.SECONDS));
    }

    /** Why the database is not usable, or null when it runs a statement. */
    private String database() {
        return problem(() -> CompletableFuture.supplyAsync(
                        () -> tx.run(s -> s.createNativeQuery("select 1").getSingleResult()))
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /** What went wrong asking, or null when the answer came in time. */
    private static String problem(java.util.concurrent.Callable<?> ask) {
        try {
            ask.call();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "no answer within " + TIMEOUT_SECONDS + " s: " + reason(e);
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> settings = TopicInitializer.adminSettings(kafka);
            settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
            settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
            settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "baton-readiness");
            admin = Admin.create(settings);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(1));
        }
    }
}
