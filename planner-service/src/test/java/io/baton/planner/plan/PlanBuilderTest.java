package io.baton.planner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.Owner;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.StepStatus;
import io.baton.contracts.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanBuilderTest {

    static DatabaseUpgrade upgrade(Classification classification) {
        ServerConfig current = ClassifierTest.CURRENT;
        ServerConfig change = new ServerConfig(null, null, null, null, null, "m5.xlarge", null, null, null, null);
        Topology t = new Topology("m", "db-1", "a:5432", "s", "db-2", "b:5432", current);
        return new DatabaseUpgrade(classification, "why", change, current.apply(change), t);
    }

    @Test
    void theDatabaseRunbookInOrderWithTheTerminationAsPivot() {
        List<PlannedStep> plan = PlanBuilder.database(upgrade(Classification.MINOR), false);
        assertThat(plan)
                .extracting(PlannedStep::name)
                .containsExactly(
                        StepName.CREATE_SLAVE,
                        StepName.LAUNCH_SLAVE,
                        StepName.AWAIT_CATCH_UP,
                        StepName.CHECK_FIREWALL,
                        StepName.PROMOTE,
                        StepName.BACKUP_MASTER,
                        StepName.VERIFY_MASTER,
                        StepName.LAUNCH_NEW_SLAVE,
                        StepName.AWAIT_NEW_SLAVE_SYNC,
                        StepName.TERMINATE_OLD_PAIR);
        assertThat(plan).extracting(PlannedStep::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(plan.get(0).action()).contains("clone the slave db-2").contains("m5.large -> m5.xlarge");
        assertThat(plan.get(4).owner()).isEqualTo(Owner.DB);
        assertThat(plan.get(4).compensation()).contains("switch back to db-1");
        PlannedStep last = plan.get(plan.size() - 1);
        assertThat(last.pivot()).isTrue();
        assertThat(last.compensation()).isNull();
        assertThat(plan.stream().filter(PlannedStep::pivot)).hasSize(1);
    }

    @Test
    void aMajorChangeAddsAServerFromTheTemplate() {
        assertThat(PlanBuilder.database(upgrade(Classification.MAJOR), false)
                        .get(0)
                        .action())
                .startsWith("add a server from template 'PostgreSQL Database Manager' revision 14");
    }

    @Test
    void theApprovalGateStandsJustBeforeThePivot() {
        List<PlannedStep> plan = PlanBuilder.database(upgrade(Classification.MINOR), true);
        assertThat(plan).hasSize(11);
        assertThat(plan.get(9).name()).isEqualTo(StepName.APPROVAL);
        assertThat(plan.get(9).owner()).isEqualTo(Owner.PLANNER);
        assertThat(plan.get(10).name()).isEqualTo(StepName.TERMINATE_OLD_PAIR);
    }

    @Test
    void theSlipStartsAllPendingAndNothingIsCompensatedPastThePivot() {
        RoutingSlip slip = PlanBuilder.slip(PlanBuilder.database(upgrade(Classification.MINOR), false));
        assertThat(slip.steps()).allMatch(s -> s.status() == StepStatus.PENDING);
        assertThat(slip.step(9).compensable()).isFalse();
        RoutingSlip twoDone = slip.withStatus(0, StepStatus.COMPLETED)
                .withStatus(1, StepStatus.COMPLETED)
                .withStatus(2, StepStatus.COMPLETED);
        assertThat(twoDone.nextToCompensate().orElseThrow().index())
                .as("catch-up has no undo")
                .isEqualTo(1);
        assertThat(twoDone.withStatus(1, StepStatus.COMPENSATED)
                        .nextToCompensate()
                        .orElseThrow()
                        .index())
                .isEqualTo(0);
    }

    @Test
    void anApplicationUpgradeWithoutMigrationsTakesNoBackupAndEndsWithThePivot() {
        var upgrade = new io.baton.contracts.ApplicationUpgrade(
                "https://git/x.git",
                "main",
                java.util.Map.of(),
                null,
                List.of(),
                java.time.Duration.ofMinutes(5),
                io.baton.contracts.ApplicationUpgrade.DrainMode.DRAIN_STATE,
                new io.baton.contracts.ApplicationUpgrade.SmokeTest("/", 200));
        List<PlannedStep> plan = PlanBuilder.application(upgrade, 3, true);
        assertThat(plan)
                .extracting(PlannedStep::name)
                .doesNotContain(StepName.BACKUP_DATABASE, StepName.RUN_MIGRATIONS);
        assertThat(plan.get(0).name()).isEqualTo(StepName.SAVE_INPUTS);
        assertThat(plan.get(2).action()).contains("until there are 3 new servers");
        assertThat(plan.get(plan.size() - 2).name()).isEqualTo(StepName.APPROVAL);
        assertThat(plan.get(plan.size() - 1).pivot()).isTrue();
        assertThat(plan)
                .filteredOn(p -> p.owner() == Owner.LB)
                .extracting(PlannedStep::name)
                .containsExactly(
                        StepName.ATTACH_NEW_SERVERS,
                        StepName.DRAIN_OLD_SERVERS,
                        StepName.AWAIT_SESSIONS_DRAINED,
                        StepName.DETACH_OLD_SERVERS,
                        StepName.SMOKE_TEST);
    }
}
