package io.baton.planner.plan;

import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns a classified database change into the ordered steps of the runbook, each with its owner and its undo. */
public final class PlanBuilder {

    private PlanBuilder() {}

    public static List<PlannedStep> database(DatabaseUpgrade upgrade, boolean approvalRequired) {
        String slave = upgrade.topology().slaveName();
        String master = upgrade.topology().masterName();
        List<PlannedStep> steps = new ArrayList<>();
        String create = upgrade.classification() == Classification.MINOR
                ? "clone the slave " + slave + " and change " + describe(upgrade) + "; carry its inputs and alerts over"
                : "add a server from template '" + upgrade.target().serverTemplate() + "' revision "
                        + upgrade.target().templateRevision() + " in "
                        + upgrade.target().cloud() + "/"
                        + upgrade.target().region() + "; carry the slave's inputs and alerts over";
        add(steps, StepName.CREATE_SLAVE, create, "delete the new server");
        add(
                steps,
                StepName.LAUNCH_SLAVE,
                "launch it as a slave of " + master + " (init slave at boot) and wait until operational",
                "terminate it");
        add(steps, StepName.AWAIT_CATCH_UP, "wait until it has applied " + master + "'s exact position", null);
        add(
                steps,
                StepName.CHECK_FIREWALL,
                "check its security groups accept the application tier on the database port",
                null);
        add(
                steps,
                StepName.PROMOTE,
                "fence writes on " + master + ", wait for exact catch-up, promote, re-point the write path, make "
                        + master + " its replica",
                "switch back to " + master + " the same way");
        add(
                steps,
                StepName.BACKUP_MASTER,
                "take a primary backup of the new master and wait until 100%",
                "delete the backup");
        add(steps, StepName.VERIFY_MASTER, "verify the new master takes writes and lists its databases", null);
        add(
                steps,
                StepName.LAUNCH_NEW_SLAVE,
                "clone the new master into a new slave and launch it from the backup",
                "terminate it");
        add(steps, StepName.AWAIT_NEW_SLAVE_SYNC, "wait until the new slave is in sync with the new master", null);
        if (approvalRequired) {
            add(steps, StepName.APPROVAL, "wait for an operator's approval (POST /upgrades/{id}/approve)", null);
        }
        steps.add(new PlannedStep(
                steps.size(),
                StepName.TERMINATE_OLD_PAIR,
                StepName.TERMINATE_OLD_PAIR.owner(),
                "terminate the old master " + master + " and slave " + slave + " (the pivot: no undo after it)",
                null,
                true));
        return steps;
    }

    public static List<PlannedStep> application(ApplicationUpgrade upgrade, int appServers, boolean approvalRequired) {
        List<PlannedStep> steps = new ArrayList<>();
        boolean migrations =
                upgrade.migrations() != null && !upgrade.migrations().isEmpty();
        if (migrations) {
            add(
                    steps,
                    StepName.BACKUP_DATABASE,
                    "take a primary backup of the master database and wait until 100%",
                    null);
            add(
                    steps,
                    StepName.RUN_MIGRATIONS,
                    "run " + upgrade.migrations().size() + " additive migration(s) on the master",
                    "run their down migrations, newest first");
        }
        add(
                steps,
                StepName.SAVE_INPUTS,
                "save the deployment's inputs as CSV (GET /deployments/{name}/inputs.csv)",
                "restore them from the CSV");
        add(
                steps,
                StepName.SET_INPUTS,
                "set the deployment's inputs: repository " + upgrade.repository() + " at " + upgrade.ref()
                        + (upgrade.inputs() == null || upgrade.inputs().isEmpty()
                                ? ""
                                : ", and " + String.join(", ", upgrade.inputs().keySet())),
                "restore the saved inputs");
        add(
                steps,
                StepName.LAUNCH_APP_SERVERS,
                "clone an app server, apply the system changes, launch and test it (health and database);"
                        + " repeat until there are " + appServers + " new servers",
                "terminate the new servers");
        add(
                steps,
                StepName.DISABLE_ARRAY,
                "disable the server array so that it launches no servers",
                "enable it again");
        add(
                steps,
                StepName.ATTACH_NEW_SERVERS,
                "attach the new servers to the load balancers; no traffic before their health check passes",
                "detach them");
        add(
                steps,
                StepName.DRAIN_OLD_SERVERS,
                "drain the old servers by "
                        + (upgrade.drainBy() == ApplicationUpgrade.DrainMode.HEALTH_CHECK_FILE
                                ? "removing their health-check file"
                                : "setting them to drain")
                        + ": no new sessions, existing ones kept",
                "make them ready again");
        add(
                steps,
                StepName.AWAIT_SESSIONS_DRAINED,
                "wait until the old servers' sessions reach 0 (at most " + upgrade.sessionTtl()
                        + "); report sessions cut",
                null);
        add(steps, StepName.DETACH_OLD_SERVERS, "detach the old servers from the load balancers", "attach them again");
        add(
                steps,
                StepName.UPDATE_ARRAY,
                "update the server array's template and enable it",
                "restore its template and enabled state");
        add(
                steps,
                StepName.SMOKE_TEST,
                "GET " + upgrade.smokeTest().path() + " through the balancer answers "
                        + upgrade.smokeTest().expectedStatus(),
                null);
        if (approvalRequired) {
            add(steps, StepName.APPROVAL, "wait for an operator's approval (POST /upgrades/{id}/approve)", null);
        }
        steps.add(new PlannedStep(
                steps.size(),
                StepName.TERMINATE_OLD_APP_SERVERS,
                StepName.TERMINATE_OLD_APP_SERVERS.owner(),
                "terminate the old application servers (the pivot: no undo after it)",
                null,
                true));
        return steps;
    }

    public static RoutingSlip slip(List<PlannedStep> plan) {
        List<SlipStep> steps = new ArrayList<>();
        for (PlannedStep step : plan) {
            steps.add(SlipStep.pending(step.index(), step.name(), step.pivot()));
        }
        return new RoutingSlip(steps, Map.of());
    }

    private static void add(List<PlannedStep> steps, StepName name, String action, String compensation) {
        steps.add(new PlannedStep(steps.size(), name, name.owner(), action, compensation, false));
    }

    private static String describe(DatabaseUpgrade upgrade) {
        List<String> parts = new ArrayList<>();
        var from = upgrade.topology().current();
        var to = upgrade.target();
        if (!java.util.Objects.equals(from.instanceSize(), to.instanceSize()))
            parts.add("instance size " + from.instanceSize() + " -> " + to.instanceSize());
        if (!java.util.Objects.equals(from.zone(), to.zone())) parts.add("zone " + from.zone() + " -> " + to.zone());
        if (!java.util.Objects.equals(from.securityGroups(), to.securityGroups()))
            parts.add("security groups " + from.securityGroups() + " -> " + to.securityGroups());
        if (!java.util.Objects.equals(from.sshKey(), to.sshKey()))
            parts.add("SSH key " + from.sshKey() + " -> " + to.sshKey());
        if (!java.util.Objects.equals(from.image(), to.image()))
            parts.add("image " + from.image() + " -> " + to.image());
        return String.join(", ", parts);
    }
}
