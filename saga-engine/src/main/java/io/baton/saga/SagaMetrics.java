package io.baton.saga;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.SessionsDrained;
import io.baton.contracts.facts.DatabaseFacts.MasterPromoted;
import io.baton.contracts.facts.StepFacts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * What every service tells Prometheus about its part of the sagas (at /q/metrics): how long its steps and
 * compensations take, the switchover's write fence and the drains it measured, the records it sent to its dead-letter
 * topic, its outbox's backlog and its consumer's lag. The Kafka clients' own metrics are there too.
 */
@ApplicationScoped
public class SagaMetrics {

    private static final Logger LOG = Logger.getLogger(SagaMetrics.class);
    /**
     * The lag is read on the consumer's polling thread (a Kafka consumer is not shared between threads): two short
     * questions to the broker every refresh, never holding the poll up for long when the broker is slow.
     */
    private static final Duration LAG_TIMEOUT = Duration.ofMillis(500);

    private final MeterRegistry registry;
    private final Tx tx;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestMillis = new AtomicLong();
    private final AtomicLong longestFenceMillis = new AtomicLong();
    private final AtomicLong lag = new AtomicLong();
    private final KafkaClientService kafka;

    public SagaMetrics(MeterRegistry registry, Tx tx, KafkaClientService kafka) {
        this.registry = registry;
        this.tx = tx;
        this.kafka = kafka;
        Gauge.builder("baton.consumer.lag", lag, AtomicLong::get)
                .description("Records on the saga topics this replica's partitions hold past the group's committed"
                        + " offsets: events not yet handled")
                .baseUnit("records")
                .register(registry);
        Gauge.builder("baton.outbox.backlog", backlog, AtomicLong::get)
                .description("Events written to the outbox and not yet acknowledged by the broker")
                .register(registry);
        Gauge.builder("baton.outbox.oldest.age", oldestMillis, v -> v.get() / 1000.0)
                .description("How long the oldest unpublished event has waited in the outbox (0 when none waits)")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("baton.switchover.longest.write.stall", longestFenceMillis, v -> v.get() / 1000.0)
                .description("The longest time writes were held by a switchover's fence since this process started")
                .baseUnit("seconds")
                .register(registry);
    }

    /** A run of a step or of its compensation ended: how long the handler took and how it ended. */
    public void run(StepName step, Mode mode, String outcome, Duration took) {
        Timer.builder(mode == Mode.ACTION ? "baton.step.duration" : "baton.compensation.duration")
                .description(
                        mode == Mode.ACTION
                                ? "How long this service's steps took, by step and outcome (completed, waiting, failed)"
                                : "How long this service's compensations took, by step and outcome (compensated, failed)")
                .tag("step", step.name())
                .tag("outcome", outcome)
                .register(registry)
                .record(took);
    }

    /** The figures a finished step measured: the switchover's write fence, a drain's time and the sessions it cut. */
    public void facts(StepFacts facts) {
        if (facts instanceof MasterPromoted promoted) {
            Timer.builder("baton.switchover.fence")
                    .description("How long writes were held while the master changed (stop, catch up, promote, move"
                            + " the write path)")
                    .register(registry)
                    .record(Duration.ofMillis(promoted.writeFenceMillis()));
            longestFenceMillis.accumulateAndGet(promoted.writeFenceMillis(), Math::max);
        } else if (facts instanceof SessionsDrained drained) {
            Timer.builder("baton.drain.duration")
                    .description("How long draining the old application servers took, by whether it drained fully")
                    .tag("drained", Boolean.toString(drained.drained()))
                    .register(registry)
                    .record(Duration.ofMillis(drained.drainMillis()));
            Counter.builder("baton.drain.sessions.cut")
                    .description("Client sessions still open when a drain's deadline passed and the servers left")
                    .register(registry)
                    .increment(drained.sessionsCut());
        }
    }

    /**
     * A record went to this service's dead-letter topic from {@code topic}: {@code kind} is {@code refused} (the
     * consumer could not take it) or {@code parked} (an event whose upgrade never came, or came with another plan).
     */
    public void deadLetter(String topic, String kind) {
        Counter.builder("baton.dead.letters")
                .description("Records sent to this service's dead-letter topic, by the topic they came from and kind")
                .tag("topic", topic)
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    /** Reads the outbox's backlog from the database: what a replica reports is the table, not its own memory. */
    @Scheduled(every = "${baton.metrics.refresh:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            Object[] row = tx.run(s -> s.createSelectionQuery(
                            "select count(o), min(o.createdAt) from OutboxRecord o"
                                    + " where o.publishedAt is null and o.refusedAt is null",
                            Object[].class)
                    .getSingleResult());
            backlog.set(((Number) row[0]).longValue());
            Instant oldest = (Instant) row[1];
            oldestMillis.set(
                    oldest == null
                            ? 0
                            : Math.max(
                                    0, Duration.between(oldest, Instant.now()).toMillis()));
        } catch (RuntimeException e) {
            LOG.debugf("the outbox's backlog could not be read: %s", e.getMessage());
        }
        if (!kafka.getConsumerChannels().contains(SagaConsumer.CHANNEL)) {
            return;
        }
        KafkaConsumer<String, String> consumer = kafka.getConsumer(SagaConsumer.CHANNEL);
        consumer.runOnPollingThread(c -> {
                    Set<TopicPartition> mine = c.assignment();
                    if (mine.isEmpty()) {
                        return 0L;
                    }
                    Map<TopicPartition, Long> ends = c.endOffsets(mine, LAG_TIMEOUT);
                    Map<TopicPartition, OffsetAndMetadata> committed = c.committed(mine, LAG_TIMEOUT);
                    long behind = 0;
                    for (TopicPartition p : mine) {
                        OffsetAndMetadata done = committed.get(p);
                        behind += Math.max(0, ends.getOrDefault(p, 0L) - (done == null ? 0 : done.offset()));
                    }
                    return behind;
                })
                .subscribe()
                .with(lag::set, e -> LOG.debugf("the consumer's lag could not be read: %s", e.getMessage()));
    }
}
