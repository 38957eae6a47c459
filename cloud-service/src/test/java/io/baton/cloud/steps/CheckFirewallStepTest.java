package io.baton.cloud.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepFailedException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckFirewallStepTest {

    static ServerView server(String name, Role role, List<String> groups, String engine, ServerState state) {
        ServerConfig config = new ServerConfig("t", 1, "sim", "eu", "a", "m", groups, "k", "i", engine);
        return new ServerView(name, name, role, config, state, null, null, Map.of(), List.of(), null);
    }

    static DeploymentView deployment(List<FirewallRule> rules, ServerView... servers) {
        return new DeploymentView("d", List.of(servers), rules, Map.of(), List.of());
    }

    static final ServerView APP = server("app-1", Role.APP, List.of("app"), null, ServerState.OPERATIONAL);

    @Test
    void passesWhenAGroupOfTheNewServerAdmitsTheAppTierOnItsPort() throws Exception {
        ServerView candidate = server("db-3", Role.SLAVE, List.of("ops", "db"), "postgresql", ServerState.OPERATIONAL);
        String verdict =
                CheckFirewallStep.check(deployment(List.of(new FirewallRule("db", 5432, "app")), APP), candidate);
        assertThat(verdict).contains("[app]").contains("5432");
    }

    @Test
    void failsWithWhatToDoWhenTheNewGroupHasNoRule() {
        ServerView candidate = server("db-3", Role.SLAVE, List.of("db-v2"), "postgresql", ServerState.OPERATIONAL);
        assertThatThrownBy(() -> CheckFirewallStep.check(
                        deployment(List.of(new FirewallRule("db", 5432, "app")), APP), candidate))
                .isInstanceOf(StepFailedException.class)
                .hasMessageContaining("do not accept [app] on port 5432")
                .hasMessageContaining("add a rule");
    }

    @Test
    void theRuleMustBeForTheEnginesPort() {
        ServerView mariadb = server("db-3", Role.SLAVE, List.of("db"), "mariadb", ServerState.OPERATIONAL);
        assertThatThrownBy(() ->
                        CheckFirewallStep.check(deployment(List.of(new FirewallRule("db", 5432, "app")), APP), mariadb))
                .hasMessageContaining("port 3306");
    }

    @Test
    void aRuleOpenToAnywhereAdmitsEveryone() throws Exception {
        ServerView candidate = server("db-3", Role.SLAVE, List.of("db"), "postgresql", ServerState.OPERATIONAL);
        CheckFirewallStep.check(deployment(List.of(new FirewallRule("db", 5432, "0.0.0.0/0")), APP), candidate);
    }

    @Test
    void terminatedAppServersAndEmptyTiersNeedNoRule() throws Exception {
        ServerView candidate = server("db-3", Role.SLAVE, List.of("db"), "postgresql", ServerState.OPERATIONAL);
        ServerView gone = server("app-0", Role.APP, List.of("legacy"), null, ServerState.TERMINATED);
        assertThat(CheckFirewallStep.check(deployment(List.of(), gone), candidate))
                .isEqualTo("no application servers to admit");
    }
}
