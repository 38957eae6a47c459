package io.baton.lb.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.lb.balancer.LoadBalancer.State;
import io.baton.lb.sim.SimLoadBalancer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainWatcherTest {

    final SimLoadBalancer lb = new SimLoadBalancer(Duration.ofMillis(150));
    final DrainWatcher watcher = new DrainWatcher(Duration.ofMillis(10));

    @Test
    void aNewServerTakesNoTrafficBeforeItsHealthCheckPasses() throws Exception {
        lb.addReady("shop", "app-1", "a1:80");
        lb.add("shop", "app-3", "a3:80");
        lb.setState("shop", "app-3", State.READY);
        for (int i = 0; i < 10; i++) {
            assertThat(lb.open("shop", Duration.ofMillis(1))).contains("app-1");
        }
        Thread.sleep(200);
        assertThat(lb.healthy("shop", "app-3")).isTrue();
        assertThat(List.of(
                        lb.open("shop", Duration.ofMillis(1)).orElseThrow(),
                        lb.open("shop", Duration.ofMillis(1)).orElseThrow()))
                .containsExactlyInAnyOrder("app-1", "app-3");
    }

    @Test
    void aDrainWaitsForTheLongSessionsAndCutsNone() throws Exception {
        lb.addReady("shop", "app-1", "a1:80");
        lb.addReady("shop", "app-2", "a2:80");
        lb.open("shop", Duration.ofMillis(300));
        lb.open("shop", Duration.ofMillis(600));
        lb.setState("shop", "app-1", State.DRAIN);
        lb.setState("shop", "app-2", State.DRAIN);
        assertThat(lb.request("shop", "/")).as("no server takes new sessions").isEqualTo(503);
        assertThat(lb.currentSessions("shop", "app-1") + lb.currentSessions("shop", "app-2"))
                .isEqualTo(2);

        DrainWatcher.Report report =
                watcher.await(lb, "shop", List.of("app-1", "app-2"), Duration.ofSeconds(10), () -> false);

        assertThat(report.drained()).isTrue();
        assertThat(report.sessionsCut()).isZero();
        assertThat(report.waitedMillis())
                .as("until the last session ended, not the TTL")
                .isBetween(450L, 3_000L);
    }

    @Test
    void aDrainByHealthCheckFileKeepsSessionsAndSendsNewOnesElsewhere() throws Exception {
        lb.addReady("shop", "old", "o:80");
        lb.open("shop", Duration.ofMillis(200));
        lb.addReady("shop", "new", "n:80");
        lb.setHealthCheckFile("shop", "old", false);
        for (int i = 0; i < 5; i++) {
            assertThat(lb.open("shop", Duration.ofMillis(50))).contains("new");
        }
        assertThat(lb.currentSessions("shop", "old")).isEqualTo(1);
        assertThat(watcher.await(lb, "shop", List.of("old"), Duration.ofSeconds(5), () -> false)
                        .drained())
                .isTrue();
    }

    @Test
    void sessionsStillOpenAtTheTtlAreReportedCut() throws Exception {
        lb.addReady("shop", "app-1", "a1:80");
        lb.open("shop", Duration.ofSeconds(30));
        lb.open("shop", Duration.ofSeconds(30));
        lb.setState("shop", "app-1", State.DRAIN);

        DrainWatcher.Report report = watcher.await(lb, "shop", List.of("app-1"), Duration.ofMillis(200), () -> false);

        assertThat(report.drained()).isFalse();
        assertThat(report.sessionsCut()).isEqualTo(2);
        assertThat(report.waitedMillis()).isBetween(190L, 2_000L);
    }

    @Test
    void onlyAServerInMaintenanceCanBeRemoved() {
        lb.addReady("shop", "app-1", "a1:80");
        assertThatThrownBy(() -> lb.remove("shop", "app-1")).hasMessageContaining("MAINT");
        lb.setState("shop", "app-1", State.MAINT);
        lb.remove("shop", "app-1");
        assertThat(lb.members("shop")).isEmpty();
    }
}
