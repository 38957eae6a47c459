package io.baton.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Wait;
import io.baton.launcher.Main;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.bench.FaultCampaign;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small, seeded slice of {@code bench/fault-campaign}: upgrades of both runbooks with injected failures and delays
 * while replicas are killed and Baton's PostgreSQL and Kafka go away for moments; no invariant may break. The seed is
 * {@code baton.seed} (a fixed one by default), printed with the figures so that a run can be replayed.
 */
class FaultCampaignIT {

    static Stack stack;

    @BeforeAll
    static void up() throws Exception {
        stack = BatonStack.get(ReplicasIT.CONFIG);
        Main.signIn(stack);
    }

    @AfterAll
    static void down() throws Exception {
        BatonStack.close();
    }

    @Test
    void aSeededCampaignOfUpgradesUnderKillsAndOutagesBreaksNoInvariant() throws Exception {
        long seed = Long.getLong("baton.seed", 20261203L);
        FaultCampaign.Report report = FaultCampaign.run(
                stack, new FaultCampaign.Settings(seed, 24, 8, Duration.ofMinutes(4)), System.out::println);
        System.out.println(report.summary());
        report.chaos().forEach(c -> System.out.println("  chaos: " + c));
        report.unplanned().forEach(u -> System.out.println("  unplanned: " + u));
        assertThat(report.violations()).as("invariants, seed " + seed).isEmpty();
        assertThat(report.ended().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(24);
        assertThat(report.chaos()).as("the chaos loop killed replicas").anyMatch(c -> c.startsWith("kill -9"));
    }

    /**
     * A replica whose database or broker is away says so on its readiness endpoint, naming which, and is ready again
     * once it is back.
     */
    @Test
    void readinessNamesTheDependencyThatIsAway() throws Exception {
        CompletableFuture<Void> freeze = meanwhile(() -> stack.freezeStatePostgres(Duration.ofSeconds(10)));
        awaitReadiness(503, "database");
        freeze.get();
        awaitReadiness(200, null);

        CompletableFuture<Void> outage = meanwhile(() -> stack.kafkaOutage(Duration.ofSeconds(10)));
        awaitReadiness(503, "kafka");
        outage.get();
        awaitReadiness(200, null);
    }

    interface Outage {
        void happen() throws Exception;
    }

    private static CompletableFuture<Void> meanwhile(Outage outage) {
        return CompletableFuture.runAsync(() -> {
            try {
                outage.happen();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until the planner's readiness answers {@code status}, with {@code away} not reachable when it names one. */
    private static void awaitReadiness(int status, String away) throws Exception {
        Wait.forThe("readiness " + status + (away == null ? "" : " naming " + away), Duration.ofSeconds(60))
                .every(Duration.ofMillis(200))
                .until(() -> {
                    Response r = given().get(stack.url(Service.PLANNER) + "/q/health/ready");
                    if (r.statusCode() != status) {
                        return false;
                    }
                    if (away == null) {
                        return true;
                    }
                    String said = r.jsonPath()
                            .getString("checks.find { it.name == \"Baton's broker and database\" }.data." + away);
                    return said != null && !said.equals("reachable");
                });
    }
}
