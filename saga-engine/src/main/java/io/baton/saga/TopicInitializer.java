package io.baton.saga;

import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

/**
 * Creates this service's topics (its events and its dead letters) if they do not exist yet, with enough partitions to
 * spread sagas over several replicas of a service. Each service creates its own: the broker's ACLs let it create
 * nothing else. It signs in as every Kafka client of the service does.
 */
@Startup
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    private final Map<String, Object> kafka;
    private final SagaConfig config;

    public TopicInitializer(@Identifier("default-kafka-broker") Map<String, Object> kafka, SagaConfig config) {
        this.kafka = kafka;
        this.config = config;
    }

    /** The settings of an admin client of the service's broker, signed in as the service. */
    static Map<String, Object> adminSettings(Map<String, Object> kafka) {
        Map<String, Object> settings = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                settings.put(key, value);
            }
        });
        return settings;
    }

    @PostConstruct
    void createTopics() {
        Map<String, Object> settings = adminSettings(kafka);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(settings)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics()) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, config.partitions(), config.replicationFactor()));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof(
                        "created topics %s",
                        missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            // another service created them at the same moment: fine
            LOG.debugf("topic creation: %s", e.getCause().getMessage());
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot reach Kafka at " + kafka.get("bootstrap.servers") + " to create the Baton topics", e);
        }
    }

    private List<String> topics() {
        return List.of(config.owner().topic(), config.owner().deadLetterTopic());
    }
}
