package io.baton.e2e;

import static io.baton.e2e.BatonStack.actions;
import static io.baton.e2e.BatonStack.assertNothingLeftBy;
import static io.baton.e2e.BatonStack.awaitState;
import static io.baton.e2e.BatonStack.executions;
import static io.baton.e2e.BatonStack.fault;
import static io.baton.e2e.BatonStack.register;
import static io.baton.e2e.BatonStack.start;
import static io.baton.e2e.BatonStack.topology;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.StepName;
import io.baton.launcher.Stack.Service;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small, seeded slice of {@code bench/saga-throughput}: many upgrades started at once, some with a fault at a step
 * the seed chooses, and every one must end as planned with nothing run twice. The seed is {@code baton.seed} (a fixed
 * one by default), named in every assertion so that a failure can be replayed.
 */
class ManyUpgradesIT {

    static final int UPGRADES = 24;

    @BeforeAll
    static void up() throws Exception {
        BatonStack.get();
    }

    @AfterAll
    static void down() throws Exception {
        BatonStack.close();
    }

    /** One upgrade of the crowd: its deployment, and the step that fails, or null when it should complete. */
    record Planned(String deployment, StepName failing) {}

    @Test
    void aCrowdOfUpgradesStartedAtOnceEachEndsAsPlannedAndRepeatsNothing() throws Exception {
        long seed = Long.getLong("baton.seed", 20261203L);
        Random random = new Random(seed);
        String seeded = " (seed " + seed + ")";
        List<Planned> plan = new ArrayList<>();
        Map<String, List<String>> before = new LinkedHashMap<>();
        for (int i = 0; i < UPGRADES; i++) {
            String deployment = "m-" + i;
            // a third of them fail at a step before the pivot, chosen by the seed
            StepName failing = random.nextInt(3) == 0
                    ? DatabaseUpgradeIT.BEFORE_THE_PIVOT.get(random.nextInt(DatabaseUpgradeIT.BEFORE_THE_PIVOT.size()))
                    : null;
            register(deployment);
            before.put(deployment, topology(deployment));
            if (failing != null) {
                fault(
                        DatabaseUpgradeIT.service(failing.owner()),
                        "{\"step\":\"" + failing + "\",\"deployment\":\"" + deployment + "\"}");
            }
            plan.add(new Planned(deployment, failing));
        }

        // every request at once, from as many clients
        Map<Planned, String> ids = new LinkedHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(UPGRADES);
        try {
            Map<Planned, Future<String>> started = new LinkedHashMap<>();
            for (Planned p : plan) {
                started.put(p, clients.submit(() -> start(p.deployment(), "{\"instanceSize\": \"large\"}", false)));
            }
            for (Map.Entry<Planned, Future<String>> e : started.entrySet()) {
                ids.put(e.getKey(), e.getValue().get());
            }
        } finally {
            clients.shutdownNow();
        }

        for (Planned p : plan) {
            String id = ids.get(p);
            JsonPath ended = awaitState(id, Duration.ofMinutes(3), "COMPLETED", "ROLLED_BACK", "FAILED");
            String what =
                    p.deployment() + (p.failing() == null ? " with no fault" : " failing at " + p.failing()) + seeded;
            if (p.failing() == null) {
                assertThat(ended.getString("state")).as(what).isEqualTo("COMPLETED");
                assertThat(ended.getList("steps.outcome")).as(what).containsOnly("COMPLETED");
            } else {
                assertThat(ended.getString("state")).as(what).isEqualTo("ROLLED_BACK");
                assertThat(ended.getString("failure"))
                        .as(what)
                        .contains(p.failing().name());
                assertThat(topology(p.deployment())).as(what).isEqualTo(before.get(p.deployment()));
                assertNothingLeftBy(id, p.deployment());
            }
            assertThat(actions(id).stream()
                            .map(a -> a.get("action") + " " + a.get("target"))
                            .toList())
                    .as("instance actions of " + what)
                    .doesNotHaveDuplicates();
            for (Service s : List.of(Service.CLOUD, Service.DB)) {
                for (Map<String, Object> x : executions(s, id)) {
                    assertThat(x.get("attempts"))
                            .as(s + " ran " + x.get("name") + " of " + what + " once")
                            .isEqualTo(1);
                }
            }
        }
    }
}
