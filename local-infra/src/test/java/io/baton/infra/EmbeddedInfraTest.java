package io.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.Owner;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedInfraTest {

    @Test
    void kafkaServesAServiceItsOwnTopicAndEveryTopicToRead() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (var producer =
                    new KafkaProducer<>(kafka.clientConfig("cloud"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Owner.CLOUD.topic(), "k", "hello"))
                        .get();
            }
            var consumerConfig = new java.util.HashMap<>(kafka.clientConfig("db"));
            consumerConfig.put("group.id", "baton-db");
            assertThat(readOne(consumerConfig)).isEqualTo("hello");
            // the read-only watcher, in a group of its own as Kafka's console consumer reads
            consumerConfig = new java.util.HashMap<>(kafka.clientConfig(EmbeddedKafka.WATCHER));
            consumerConfig.put("group.id", "watcher-cli");
            assertThat(readOne(consumerConfig)).isEqualTo("hello");
        }
    }

    private static String readOne(Map<String, Object> settings) {
        Map<String, Object> config = new java.util.HashMap<>(settings);
        config.put("auto.offset.reset", "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Owner.CLOUD.topic()));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            for (int i = 0; i < 20 && records.isEmpty(); i++) {
                records = consumer.poll(Duration.ofMillis(500));
            }
            assertThat(records.count()).isEqualTo(1);
            return records.iterator().next().value();
        }
    }

    /** ACLs: a service may not write another's topic, the watcher may not write at all, a stranger may not sign in. */
    @Test
    void kafkaRefusesWritesToAnotherServicesTopicAndStrangers() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (String user : List.of("cloud", "db", "lb", EmbeddedKafka.WATCHER)) {
                assertThat(sendAs(kafka.clientConfig(user), Owner.PLANNER.topic()))
                        .as(user + " writing " + Owner.PLANNER.topic())
                        // the watcher, who may write nowhere, is refused even an idempotent producer id
                        .isInstanceOf(AuthorizationException.class);
            }
            assertThat(sendAs(kafka.clientConfig("planner"), Owner.PLANNER.topic()))
                    .isNull();
            assertThat(sendAs(kafka.clientConfig("planner"), Owner.PLANNER.deadLetterTopic()))
                    .isNull();
            assertThat(sendAs(kafka.clientConfig("planner"), Owner.CLOUD.deadLetterTopic()))
                    .isInstanceOf(TopicAuthorizationException.class);
            assertThat(sendAs(
                            EmbeddedKafka.clientConfig(kafka.bootstrapServers(), "planner", "not-the-password"),
                            Owner.PLANNER.topic()))
                    .isInstanceOf(SaslAuthenticationException.class);
            Map<String, Object> plain = Map.of("bootstrap.servers", kafka.bootstrapServers());
            assertThat(sendAs(plain, Owner.PLANNER.topic())).isNotNull();
            // a service may not read in another service's consumer group
            var consumerConfig = new java.util.HashMap<>(kafka.clientConfig("lb"));
            consumerConfig.put("group.id", "baton-planner");
            try (var consumer =
                    new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(Owner.PLANNER.topic()));
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                            for (int i = 0; i < 20; i++) {
                                consumer.poll(Duration.ofMillis(500));
                            }
                        })
                        .isInstanceOf(GroupAuthorizationException.class);
            }
        }
    }

    /** The failure a send as these settings ends with, or null when the broker took the record. */
    private static Throwable sendAs(Map<String, Object> client, String topic) {
        Map<String, Object> config = new java.util.HashMap<>(client);
        config.put("max.block.ms", "5000");
        config.put("delivery.timeout.ms", "5000");
        config.put("request.timeout.ms", "4000");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "forged")).get(10, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return refusal(e.getCause());
        } catch (Exception e) {
            return refusal(e);
        }
    }

    /**
     * The broker's refusal in what the producer threw: a producer refused its producer id may, depending on timing,
     * throw "in an error state" from send() with the authorization failure as the cause.
     */
    private static Throwable refusal(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.AuthorizationException
                    || t instanceof org.apache.kafka.common.errors.AuthenticationException) {
                return t;
            }
        }
        return thrown;
    }

    @Test
    void kafkaListensOnThePortItIsGiven() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port, null);
                var admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig(EmbeddedKafka.ADMIN))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            assertThat(admin.describeTopics(List.of(Owner.LB.topic()))
                            .allTopicNames()
                            .get()
                            .get(Owner.LB.topic())
                            .partitions())
                    .hasSize(6);
        }
    }

    @Test
    void postgresHasOneDatabasePerService() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(0, null);
                Connection c = DriverManager.getConnection(pg.jdbcUrl("baton_cloud"), pg.user(), "");
                ResultSet rs = c.createStatement().executeQuery("select current_database(), version()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("baton_cloud");
            assertThat(rs.getString(2)).startsWith("PostgreSQL 15");
        }
    }
}
