package io.baton.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.cloud.fleet.Servers;
import io.baton.cloud.fleet.Snapshots;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.Role;
import io.baton.infra.BatonTestInfra;
import io.baton.saga.Failures;
import io.baton.saga.Tx;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An undo removes a row and logs the action in one transaction, from many worker threads at once. Such a transaction
 * once stalled after its DELETE and never committed (Hibernate Reactive, a removed entity still in the session when an
 * IDENTITY insert follows), which left a compensation waiting forever: every one must commit.
 */
@QuarkusTest
@TestProfile(RemoveAndLogTest.ShortTransactions.class)
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_cloud"))
class RemoveAndLogTest {

    /** Transactions given 5 s, so that one that never answers is seen to fail in a test. */
    public static class ShortTransactions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.saga.tx-timeout", "PT5S");
        }
    }

    static final int ROUNDS = 400;

    @Inject
    Servers servers;

    @Inject
    Snapshots snapshots;

    @Inject
    Tx tx;

    @Test
    void aTransactionThatNeverAnswersFailsInTimeAsAFailureThatPasses() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> tx.run(s -> Uni.createFrom().nothing()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("baton.saga.tx-timeout")
                .satisfies(e -> assertThat(Failures.isTransient(e))
                        .as("tried again, as a passing failure")
                        .isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        // the service goes on: the next transaction answers
        assertThat(snapshots.of("nowhere")).isEmpty();
    }

    @Test
    void manyUndosAtOnceEachCommit() throws Exception {
        CloudServiceTest.register("undo-crowd");
        ServerConfig config = new ServerConfig("t", 1, "sim", "r", "a", "small", List.of("db"), null, null, null);
        ExecutorService workers = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> rounds = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                String id = "undo-" + i;
                rounds.add(workers.submit(() -> {
                    servers.create(
                            "u-" + id,
                            new Servers.NewServer(id, "undo-crowd", id, Role.SLAVE, config, "{}", "[]", null));
                    snapshots.create("u-" + id, "snap-" + id, "undo-crowd", id);
                    assertThat(snapshots.delete("u-" + id, "snap-" + id)).isTrue();
                    assertThat(servers.delete("u-" + id, id)).isTrue();
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (Future<?> round : rounds) {
                // a transaction that never commits shows as a round that never ends
                round.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        assertThat(snapshots.of("undo-crowd")).isEmpty();
    }
}
