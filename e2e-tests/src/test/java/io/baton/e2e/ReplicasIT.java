package io.baton.e2e;

import static io.baton.e2e.BatonStack.actions;
import static io.baton.e2e.BatonStack.assertNothingLeftBy;
import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.executions;
import static io.baton.e2e.BatonStack.topology;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.common.Wait;
import io.baton.contracts.StepName;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Replica;
import io.baton.launcher.Stack.Service;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of every service, and one of them killed (SIGKILL) while it holds a step: the other claims the step once
 * its lease has passed and the upgrade goes on, at every step of both runbooks and during the rollback walk.
 *
 * <p>Every upgrade is held in one step (an injected delay, on both replicas of the step's service) while the replicas
 * are killed: first every service's replica 0 (its runs are taken over by replica 1), which is then started again,
 * without the delays; then every replica 1 (its runs, its own and the ones it took, go back to replica 0, which runs
 * them at once). So each held step is killed under its holder at least once, and the ones that started on replica 0
 * twice.
 */
class ReplicasIT {

    /** Leases shorter than the default (10 s), so that the takeovers fit the suite's time; the bound scales with it. */
    static final Map<String, String> CONFIG = Map.of(
            "baton.saga.lease", "PT4S",
            "baton.saga.heartbeat", "PT1S",
            "baton.saga.sweep-interval", "PT1S");

    static final Duration HOLD = Duration.ofSeconds(90);

    static final String CHANGE = "{\"instanceSize\": \"large\"}";

    static Stack stack;

    @BeforeAll
    static void up() throws Exception {
        BatonStack.close();
        stack = BatonStack.get(CONFIG);
        for (Service s : Service.values()) {
            stack.startReplica(new Replica(s, 1));
        }
        for (Service s : Service.values()) {
            stack.awaitReady(new Replica(s, 1), Duration.ofSeconds(120));
        }
    }

    @AfterAll
    static void down() throws Exception {
        BatonStack.close();
    }

    /** An upgrade held in one step's action or undo, and what it must look like when it ends. */
    record Held(String deployment, String id, StepName step, String mode, boolean application, List<String> before) {
        Service service() {
            return DatabaseUpgradeIT.service(step.owner());
        }
    }

    @Test
    void killingEitherReplicaOfAServiceInAnyStepOrUndoLosesNothing() throws Exception {
        List<Held> held = new ArrayList<>();
        ApplicationUpgradeIT.register("ra-plan");
        for (StepName step : ApplicationUpgradeIT.plan("ra-plan")) {
            held.add(application("ra-" + slug(step), step, null));
        }
        BatonStack.register("rd-plan");
        for (StepName step : BatonStack.plan("rd-plan", CHANGE)) {
            held.add(database("rd-" + slug(step), step, null));
        }
        // the rollback walk: a late step fails (on either replica) and an undo is held
        held.add(application("rb-launch", StepName.LAUNCH_APP_SERVERS, StepName.SMOKE_TEST));
        held.add(application("rb-attach", StepName.ATTACH_NEW_SERVERS, StepName.SMOKE_TEST));
        held.add(application("rb-migrations", StepName.RUN_MIGRATIONS, StepName.DETACH_OLD_SERVERS));
        held.add(database("rb-promote", StepName.PROMOTE, StepName.LAUNCH_NEW_SLAVE));

        for (Held h : held) {
            awaitHolder(h, Duration.ofSeconds(60));
        }
        long takeover0 = killAndAwaitTakeover(held, 0);
        for (Service s : Service.values()) {
            stack.startReplica(new Replica(s, 0));
        }
        for (Service s : Service.values()) {
            stack.awaitReady(new Replica(s, 0), Duration.ofSeconds(120));
        }
        long takeover1 = killAndAwaitTakeover(held, 1);
        System.out.printf(
                "two replicas each: %d held steps and undos; the longest takeover after a kill of replica 0 %d ms,"
                        + " of replica 1 %d ms (lease %s, sweep %s)%n",
                held.size(),
                takeover0,
                takeover1,
                CONFIG.get("baton.saga.lease"),
                CONFIG.get("baton.saga.sweep-interval"));
        // lease + sweep + a claim's transaction, with eight JVMs on two cores
        assertThat(Math.max(takeover0, takeover1)).isLessThan(15_000L);

        for (Held h : held) {
            boolean forward = "ACTION".equals(h.mode());
            JsonPath ended = awaitState(
                    h.id(), Duration.ofMinutes(3), "COMPLETED", "ROLLED_BACK", "FAILED", "COMPENSATION_FAILED");
            assertThat(ended.getString("state"))
                    .as(h + ": " + ended.getString("failure"))
                    .isEqualTo(forward ? "COMPLETED" : "ROLLED_BACK");
            assertThat(actions(h.id()).stream().map(a -> a.get("action") + " " + a.get("target")))
                    .as("cloud actions of " + h.deployment())
                    .doesNotHaveDuplicates();
            if (!forward) {
                assertThat(state(h))
                        .as("after the rollback of " + h.deployment())
                        .isEqualTo(h.before());
                if (h.application()) {
                    // the backup before the migrations stays, as the runbook wants
                    BatonStack.assertNoServerLeftBy(h.id(), h.deployment());
                } else {
                    assertNothingLeftBy(h.id(), h.deployment());
                }
            } else if (h.application()) {
                assertThat(ended.getString("steps.find { it.name == 'AWAIT_SESSIONS_DRAINED' }.details.sessionsCut"))
                        .isEqualTo("0");
                assertThat(given().get(BatonStack.url(Service.LB) + "/balancer/" + h.deployment())
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("server"))
                        .as("members of the balancer of " + h.deployment())
                        .hasSize(3)
                        .doesNotContain("app-1", "app-2", "app-3");
            } else {
                assertThat(topology(h.deployment()))
                        .as("the new pair of " + h.deployment())
                        .noneMatch(line -> line.contains(" db-1 ") || line.contains(" db-2 "))
                        .anyMatch(line -> line.startsWith("writes go to "));
            }
        }
    }

    /** Kills replica {@code instance} of every service and waits until each run it held is held by another one. */
    private static long killAndAwaitTakeover(List<Held> held, int instance) throws Exception {
        List<Held> theirs = new ArrayList<>();
        for (Held h : held) {
            if (holder(h)
                    .map(o -> o.equals(new Replica(h.service(), instance).owner()))
                    .orElse(false)) {
                theirs.add(h);
            }
        }
        for (Service s : Service.values()) {
            stack.kill(new Replica(s, instance));
        }
        long killed = System.nanoTime();
        long longest = 0;
        // looked at in turn, so that each takeover is seen within a round of looks
        List<Held> waiting = new ArrayList<>(theirs);
        while (!waiting.isEmpty()) {
            for (Held h : List.copyOf(waiting)) {
                String dead = new Replica(h.service(), instance).owner();
                if (run(h).map(x -> !dead.equals(x.get("owner"))).orElse(false)) {
                    waiting.remove(h);
                    longest = Math.max(longest, (System.nanoTime() - killed) / 1_000_000);
                }
            }
            if (System.nanoTime() - killed > Duration.ofSeconds(60).toNanos()) {
                Held h = waiting.get(0);
                throw new AssertionError(h.step() + " " + h.mode() + " of " + h.deployment() + " still held by the"
                        + " killed replica " + instance + " after 60 s; runs: " + executions(h.service(), h.id()));
            }
            Thread.sleep(50);
        }
        return longest;
    }

    /** Waits until the held run is RUNNING under some replica. */
    private static void awaitHolder(Held h, Duration timeout) throws Exception {
        try {
            Wait.forThe(h.step() + " " + h.mode() + " of " + h.deployment() + " to run", timeout)
                    .every(Duration.ofMillis(100))
                    .until(() -> holder(h).isPresent());
        } catch (Wait.Unfinished e) {
            throw new AssertionError(e.getMessage() + "; runs: " + executions(h.service(), h.id()) + "; upgrade: "
                    + BatonStack.upgrade(h.id()).prettify());
        }
    }

    /** The replica that holds the run now, if it is RUNNING. */
    private static Optional<String> holder(Held h) {
        return run(h).filter(x -> "RUNNING".equals(x.get("state"))).map(x -> (String) x.get("owner"));
    }

    private static Optional<Map<String, Object>> run(Held h) {
        return executions(h.service(), h.id()).stream()
                .filter(x -> h.step().name().equals(x.get("name")) && h.mode().equals(x.get("mode")))
                .findFirst();
    }

    /** Starts an application upgrade held in {@code step}: its action, or its undo once {@code failing} failed. */
    private static Held application(String deployment, StepName step, StepName failing) throws Exception {
        ApplicationUpgradeIT.register(deployment);
        List<String> before = ApplicationUpgradeIT.state(deployment);
        hold(deployment, step, failing);
        return new Held(
                deployment,
                ApplicationUpgradeIT.start(deployment),
                step,
                failing == null ? "ACTION" : "COMPENSATION",
                true,
                before);
    }

    private static Held database(String deployment, StepName step, StepName failing) throws Exception {
        BatonStack.register(deployment);
        List<String> before = topology(deployment);
        hold(deployment, step, failing);
        return new Held(
                deployment,
                BatonStack.start(deployment, CHANGE, false),
                step,
                failing == null ? "ACTION" : "COMPENSATION",
                false,
                before);
    }

    private static List<String> state(Held h) {
        return h.application() ? ApplicationUpgradeIT.state(h.deployment()) : topology(h.deployment());
    }

    /** The rules, on every replica of the services concerned (a rule lives in the memory of one process). */
    private static void hold(String deployment, StepName step, StepName failing) {
        String target = failing == null ? "ACTION" : "COMPENSATION";
        fault(
                step,
                "{\"step\":\"%s\",\"deployment\":\"%s\",\"delayMillis\":%d,\"target\":\"%s\"}"
                        .formatted(step, deployment, HOLD.toMillis(), target));
        if (failing != null) {
            fault(failing, "{\"step\":\"%s\",\"deployment\":\"%s\"}".formatted(failing, deployment));
        }
    }

    private static void fault(StepName step, String rule) {
        for (Replica r : stack.replicas(DatabaseUpgradeIT.service(step.owner()))) {
            given().contentType(ContentType.JSON)
                    .body(rule)
                    .post(stack.url(r) + "/faults")
                    .then()
                    .statusCode(201);
        }
    }

    private static String slug(StepName step) {
        return step.name().toLowerCase().replace('_', '-');
    }
}
