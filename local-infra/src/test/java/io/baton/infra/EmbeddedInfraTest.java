package io.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedInfraTest {

    @Test
    void kafkaBrokerTakesAndServesRecords() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> common = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (var producer = new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("probe", "k", "hello")).get();
            }
            var consumerConfig = new java.util.HashMap<String, Object>(common);
            consumerConfig.put("group.id", "probe");
            consumerConfig.put("auto.offset.reset", "earliest");
            try (var consumer =
                    new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("probe"));
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(10));
                assertThat(records.count()).isEqualTo(1);
                assertThat(records.iterator().next().value()).isEqualTo("hello");
            }
        }
    }

    @Test
    void kafkaListensOnThePortItIsGiven() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port, null);
                var admin = org.apache.kafka.clients.admin.Admin.create(
                        Map.<String, Object>of("bootstrap.servers", "127.0.0.1:" + port))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("fixed", 3, (short) 1)))
                    .all()
                    .get();
            assertThat(admin.describeTopics(List.of("fixed"))
                            .allTopicNames()
                            .get()
                            .get("fixed")
                            .partitions())
                    .hasSize(3);
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
