package io.baton.launcher.bench;

import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.launcher.Main;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Every saga event published from now on, as the topics have it: for each upgrade, its events with the time the
 * broker's producer stamped on each record (when the publishing service's relay handed it to Kafka).
 */
final class EventLog implements AutoCloseable {

    /** One event as the bench looks at it. */
    record Seen(String topic, Phase phase, int step, long at) {}

    private final Map<String, List<Seen>> byUpgrade = new ConcurrentHashMap<>();
    private final Map<String, Long> ended = new ConcurrentHashMap<>();
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
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    SagaEvent e = Json.read(r.value(), SagaEvent.class);
                    byUpgrade
                            .computeIfAbsent(
                                    e.upgradeId(), id -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(new Seen(r.topic(), e.phase(), e.step(), r.timestamp()));
                    switch (e.phase()) {
                        case UPGRADE_COMPLETED, UPGRADE_ROLLED_BACK, UPGRADE_FAILED -> ended.put(
                                e.upgradeId(), r.timestamp());
                        default -> {}
                    }
                }
            }
        }
    }

    /** When the planner announced the end of the upgrade, or null while it runs. */
    Long endOf(String upgradeId) {
        return ended.get(upgradeId);
    }

    int endedAmong(List<String> upgradeIds) {
        return (int) upgradeIds.stream().filter(ended::containsKey).count();
    }

    List<Seen> of(String upgradeId) {
        return List.copyOf(byUpgrade.getOrDefault(upgradeId, List.of()));
    }

    /**
     * The hops of one upgrade: for each step, from the record that handed it the baton (the upgrade requested, or
     * the step before completed) to the record announcing it started, in milliseconds.
     */
    List<Long> hops(String upgradeId) {
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
                    .ifPresent(before -> hops.add(started.at() - before.at()));
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
