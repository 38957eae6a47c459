package io.baton.saga;

import io.baton.contracts.Owner;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates the Baton topics that do not exist yet, with enough partitions to spread sagas over several replicas of a
 * service. Every service does this at start, so whichever starts first, the others find their topics.
 */
@Startup
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    private final String bootstrapServers;
    private final SagaConfig config;

    public TopicInitializer(
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, SagaConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.config = config;
    }

    @PostConstruct
    void createTopics() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
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
                    "cannot reach Kafka at " + bootstrapServers + " to create the Baton topics", e);
        }
    }

    private List<String> topics() {
        List<String> topics = new ArrayList<>();
        for (Owner owner : Owner.values()) {
            topics.add(owner.topic());
        }
        topics.add(config.owner().deadLetterTopic());
        return topics;
    }
}
