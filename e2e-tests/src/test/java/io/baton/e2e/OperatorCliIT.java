package io.baton.e2e;

import static io.baton.e2e.BatonStack.register;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.api.Roles;
import io.baton.launcher.Stack.Service;
import io.baton.launcher.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operators' commands against the real stack: an upgrade started, held at the gate, approved and watched. */
class OperatorCliIT {

    record Run(int code, String out, String err) {}

    @org.junit.jupiter.api.AfterAll
    static void down() throws Exception {
        BatonStack.close();
    }

    static Map<String, String> env;

    @BeforeAll
    static void up() throws Exception {
        BatonStack.get();
        env = Map.of(
                "BATON_URL", BatonStack.url(Service.PLANNER),
                "BATON_CLOUD_URL", BatonStack.url(Service.CLOUD),
                "BATON_TOKEN",
                        BatonStack.bearer("cli-operator", Roles.OPERATOR, Roles.APPROVER)
                                .substring("Bearer ".length()));
    }

    static Run baton(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Run baton(String... args) {
        return baton(env, args);
    }

    @Test
    void anOperatorRunsAnUpgradeFromTheCommandLine() throws Exception {
        register("k-cli");
        Run deployments = baton("deployments");
        assertThat(deployments.code()).isZero();
        assertThat(deployments.out().lines()).contains("k-cli");
        assertThat(baton("deployments", "k-cli").out()).contains("db-1", "MASTER", "OPERATIONAL");

        Run dry = baton(
                "upgrade", "start", "--deployment", "k-cli", "--change", "{\"instanceSize\":\"large\"}", "--dry-run");
        assertThat(dry.code()).isZero();
        assertThat(dry.out()).startsWith("would run a MINOR upgrade of k-cli").contains("PROMOTE");

        Run started = baton(
                "upgrade",
                "start",
                "--deployment",
                "k-cli",
                "--change",
                "{\"instanceSize\":\"large\"}",
                "--approval-required");
        assertThat(started.code()).as(started.err()).isZero();
        String id = started.out().split("\\s+")[1].replaceAll(",$", "");
        assertThat(baton("upgrade", "list", "--deployment", "k-cli").out()).contains(id, "k-cli");

        // a second upgrade of the same deployment is refused with the problem's words and exit 1
        Run busy = baton("upgrade", "start", "--deployment", "k-cli", "--change", "{\"instanceSize\":\"small\"}");
        assertThat(busy.code()).isEqualTo(Cli.ERROR);
        assertThat(busy.err())
                .contains("Another upgrade is running (409)", id, "https://baton.dev/problems/deployment-busy");

        Run gate = baton("upgrade", "watch", id, "--until-approval", "--timeout", "PT3M");
        assertThat(gate.code()).as(gate.out()).isEqualTo(Cli.AWAITING_APPROVAL);
        assertThat(gate.out()).contains("upgrade AWAITING_APPROVAL", "./baton upgrade approve " + id);

        // a viewer may watch but not approve
        Map<String, String> viewer = new java.util.HashMap<>(env);
        viewer.put("BATON_TOKEN", BatonStack.bearer("cli-viewer", Roles.VIEWER).substring("Bearer ".length()));
        Run refused = baton(viewer, "upgrade", "approve", id);
        assertThat(refused.code()).isEqualTo(Cli.ERROR);
        assertThat(refused.err()).contains("(403)", "approver");

        assertThat(baton("upgrade", "approve", id).out()).contains("RUNNING", "approved by cli-operator");
        Run done = baton("upgrade", "watch", id, "--timeout", "PT3M");
        assertThat(done.code()).as(done.out()).isEqualTo(Cli.OK);
        assertThat(done.out())
                .contains("step 5/11 PROMOTE (db) started", "switchover: old master's final position")
                .contains("equal: nothing lost", "step 11/11 TERMINATE_OLD_PAIR completed", "upgrade COMPLETED in");
        // each step is told once, however often the timeline was read
        assertThat(done.out().lines().filter(l -> l.contains("PROMOTE (db) started")))
                .hasSize(1);
        assertThat(baton("upgrade", "status", id, "--json").out()).contains("\"state\" : \"COMPLETED\"");
    }

    @Test
    void aRolledBackUpgradeExitsWithItsOwnCode() throws Exception {
        register("k-cli-fault");
        BatonStack.fault(Service.DB, "{\"step\":\"PROMOTE\",\"deployment\":\"k-cli-fault\"}");
        Run run = baton(
                "upgrade",
                "start",
                "--deployment",
                "k-cli-fault",
                "--change",
                "{\"instanceSize\":\"large\"}",
                "--watch",
                "--timeout",
                "PT3M");
        assertThat(run.code()).as(run.out()).isEqualTo(Cli.ROLLED_BACK);
        assertThat(run.out()).contains("PROMOTE failed", "compensated", "upgrade ROLLED_BACK");
    }
}
