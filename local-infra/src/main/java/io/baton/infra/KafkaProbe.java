package io.baton.infra;

import io.baton.common.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A companion client for tests: produce records and read back what the services published, headers included. */
public final class KafkaProbe implements AutoCloseable {

    /** A record as a test looks at it: CloudEvents headers by name without the {@code ce_} prefix. */
    public record Record(String topic, int partition, long offset, String key, String value, Map<String, String> ce) {

        public String type() {
            return ce.get("type");
        }
    }

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;

    /**
     * A probe of the broker at {@code bootstrapServers}; of a broker in this JVM it signs in as the admin, who may
     * write any topic: the tests play services, and attackers who got past the ACLs.
     */
    public KafkaProbe(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer =
                new KafkaProducer<>(settings(Map.of("acks", "all")), new StringSerializer(), new ByteArraySerializer());
    }

    private Map<String, Object> settings(Map<String, Object> more) {
        Map<String, Object> config = new HashMap<>(EmbeddedKafka.adminConfig(bootstrapServers));
        config.putAll(more);
        return config;
    }

    /** Sends a record with binary-mode CloudEvents headers, as the services do. Returns the event id. */
    public String sendCloudEvent(String topic, String key, String type, String source, String json) {
        String id = UUID.randomUUID().toString();
        sendCloudEvent(topic, key, id, type, source, json);
        return id;
    }

    public void sendCloudEvent(String topic, String key, String id, String type, String source, String json) {
        send(cloudEvent(topic, key, id, type, source, bytes(json)));
    }

    /** A record whose value is these bytes, as they are (not necessarily UTF-8), with CloudEvents headers. */
    public void sendBytes(String topic, String key, String type, String source, byte[] value) {
        send(cloudEvent(topic, key, UUID.randomUUID().toString(), type, source, value));
    }

    public void sendRaw(String topic, String key, String value) {
        send(new ProducerRecord<>(topic, key, bytes(value)));
    }

    private static ProducerRecord<String, byte[]> cloudEvent(
            String topic, String key, String id, String type, String source, byte[] value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        record.headers().add("ce_specversion", bytes("1.0"));
        record.headers().add("ce_id", bytes(id));
        record.headers().add("ce_type", bytes(type));
        record.headers().add("ce_source", bytes(source));
        record.headers().add("ce_subject", bytes(key));
        record.headers().add("ce_time", bytes(Instant.now().toString()));
        record.headers().add("content-type", bytes("application/json"));
        return record;
    }

    private void send(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + record.topic(), e);
        }
    }

    /** Everything on the topics right now, in offset order per partition; a topic that does not exist is empty. */
    public List<Record> readAll(String... topics) {
        Map<String, Object> config = settings(Map.of("enable.auto.commit", "false"));
        List<Record> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(10));
            for (String topic : topics) {
                for (PartitionInfo p : existing.getOrDefault(topic, List.of())) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Wait.forThe("the records up to the end of " + List.of(topics), Duration.ofSeconds(15))
                    .every(Duration.ofMillis(1))
                    .until(() -> {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                            out.add(toRecord(r));
                        }
                        return reached(consumer, end);
                    });
        } catch (Wait.Unfinished | InterruptedException partly) {
            // what was read so far: a caller that waits for more asks again
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until a record matching {@code test} is on the topics; returns all records read so far. */
    public List<Record> await(Predicate<List<Record>> test, Duration timeout, String... topics) {
        List<List<Record>> last = new ArrayList<>(List.of(List.of()));
        try {
            return Wait.forThe("records of " + List.of(topics) + " to match", timeout)
                    .every(Duration.ofMillis(200))
                    .untilValue(() -> {
                        last.set(0, readAll(topics));
                        return test.test(last.get(0)) ? last.get(0) : null;
                    });
        } catch (Wait.Unfinished | InterruptedException e) {
            throw new AssertionError(e.getMessage() + "; records: "
                    + last.get(0).stream().map(r -> r.key() + " " + r.type()).toList());
        }
    }

    private static Record toRecord(ConsumerRecord<String, String> r) {
        Map<String, String> ce = new HashMap<>();
        for (Header h : r.headers()) {
            if (h.key().startsWith("ce_") && h.value() != null) {
                ce.put(h.key().substring(3), new String(h.value(), StandardCharsets.UTF_8));
            } else if (h.key().startsWith("dead-letter-") && h.value() != null) {
                ce.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return new Record(r.topic(), r.partition(), r.offset(), r.key(), r.value(), ce);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
