package io.baton.launcher.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.launcher.Main;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Every saga event published from now on, as the topics have it: for each upgrade, its events with the time the
 * broker's producer stamped on each record (when the publishing service's relay handed it to Kafka).
 */
final class EventLog implements AutoCloseable {

    /**
     * One event as the bench looks at it.
     *
     * @param at when the publishing service's producer stamped the record
     * @param decided when the service decided it (the event's occurredAt, in the transaction that wrote it)
     * @param received when this plain consumer, beside the services, had it from a poll
     */
    record Seen(String topic, Phase phase, int step, long at, long decided, long received) {}

    private final Map<String, List<Seen>> byUpgrade = new ConcurrentHashMap<>();
    private final Map<String, Long> ended = new ConcurrentHashMap<>();
    private final Set<String> completed = ConcurrentHashMap.newKeySet();
    private final Thread reader;
    private volatile boolean running = true;

    EventLog(String bootstrapServers) {
        KafkaConsumer<String, String> consumer = Main.tail(bootstrapServers);
        reader = new Thread(() -> read(consumer), "bench-event-log");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(KafkaConsumer<String, String> consumer) {
        try (consumer) {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                long received = System.currentTimeMillis();
                for (ConsumerRecord<String, String> r : records) {
                    Seen e = seen(r, received);
                    byUpgrade
                            .computeIfAbsent(r.key(), id -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(e);
                    switch (e.phase()) {
                        case UPGRADE_COMPLETED -> {
                            completed.add(r.key());
                            ended.put(r.key(), r.timestamp());
                        }
                        case UPGRADE_ROLLED_BACK, UPGRADE_FAILED -> ended.put(r.key(), r.timestamp());
                        default -> {}
                    }
                }
            }
        }
    }

    /**
     * What the bench needs of a record, read without parsing the whole event (the bench runs on the same cores as
     * what it measures): the phase and step from the first fields of the data, the decision time from ce_time.
     */
    private static Seen seen(ConsumerRecord<String, String> r, long received) {
        Phase phase = null;
        Integer step = null;
        try (JsonParser json = Json.mapper().getFactory().createParser(r.value())) {
            while ((phase == null || step == null) && json.nextToken() != null) {
                if (json.currentToken() == JsonToken.FIELD_NAME
                        && json.getParsingContext().getParent().inRoot()) {
                    String field = json.currentName();
                    json.nextToken();
                    if (field.equals("phase")) {
                        phase = Phase.valueOf(json.getText());
                    } else if (field.equals("step")) {
                        step = json.getIntValue();
                    } else {
                        json.skipChildren();
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the bench cannot read a record of " + r.topic(), e);
        }
        String time = new String(r.headers().lastHeader("ce_time").value(), StandardCharsets.UTF_8);
        return new Seen(
                r.topic(),
                phase,
                step == null ? -1 : step,
                r.timestamp(),
                OffsetDateTime.parse(time).toInstant().toEpochMilli(),
                received);
    }

    /**
     * For each record of the upgrade, how long after its producer stamped it this plain consumer had it: Kafka's
     * own part of a hop on this machine at this load, with no saga code in it.
     */
    List<Long> delivery(String upgradeId) {
        return of(upgradeId).stream().map(e -> e.received() - e.at()).toList();
    }

    /** When the planner announced the end of the upgrade, or null while it runs. */
    Long endOf(String upgradeId) {
        return ended.get(upgradeId);
    }

    int endedAmong(List<String> upgradeIds) {
        return (int) upgradeIds.stream().filter(ended::containsKey).count();
    }

    /** How many of these upgrades the planner announced completed (not rolled back, not failed). */
    int completedAmong(List<String> upgradeIds) {
        return (int) upgradeIds.stream().filter(completed::contains).count();
    }

    List<Seen> of(String upgradeId) {
        return List.copyOf(byUpgrade.getOrDefault(upgradeId, List.of()));
    }

    /**
     * The hops of one upgrade: for each step, from the record that handed it the baton (the upgrade requested, or
     * the step before completed) to the record announcing it started, in milliseconds.
     */
    List<Long> hops(String upgradeId) {
        return hops(upgradeId, (before, started) -> started.at() - before.at());
    }

    /** The part of each hop before the next owner decided: the record's trip from its producer to the decision. */
    List<Long> toDecision(String upgradeId) {
        return hops(upgradeId, (before, started) -> started.decided() - before.at());
    }

    private List<Long> hops(String upgradeId, java.util.function.ToLongBiFunction<Seen, Seen> measure) {
        List<Seen> events = of(upgradeId);
        List<Long> hops = new ArrayList<>();
        for (Seen started : events) {
            if (started.phase() != Phase.STEP_STARTED) {
                continue;
            }
            events.stream()
                    .filter(e -> started.step() == 0
                            ? e.phase() == Phase.REQUESTED
                            : e.phase() == Phase.STEP_COMPLETED && e.step() == started.step() - 1)
                    .findFirst()
                    .ifPresent(before -> hops.add(measure.applyAsLong(before, started)));
        }
        return hops;
    }

    /** The first record a service published at or after {@code since}, or null. */
    Long firstFrom(Owner owner, long since) {
        return byUpgrade.values().stream()
                .flatMap(list -> List.copyOf(list).stream())
                .filter(e -> e.topic().equals(owner.topic()) && e.at() >= since)
                .map(Seen::at)
                .min(Long::compare)
                .orElse(null);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.join(5_000);
    }
}
