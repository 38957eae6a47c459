package io.baton.planner.upgrade;

import io.baton.saga.problem.ProblemException;
import org.jboss.logging.Logger;

/** The answers the planner gives about upgrades it cannot do, each with what to do about it. */
final class UpgradeProblems {

    private static final Logger LOG = Logger.getLogger(UpgradeProblems.class);

    private UpgradeProblems() {}

    static ProblemException unknown(String id) {
        return ProblemException.notFound(
                "unknown-upgrade", "No upgrade has the id '" + id + "'; list them with GET /upgrades.");
    }

    static ProblemException busy(String deployment, String active) {
        return ProblemException.conflict(
                "deployment-busy",
                "Another upgrade is running",
                "Deployment '" + deployment + "' is already being upgraded"
                        + (active != null ? " by " + active : "")
                        + "; wait for it to end, or abort it with POST /upgrades/" + (active != null ? active : "{id}")
                        + "/abort.");
    }

    static ProblemException noPair(String deployment) {
        return new ProblemException(
                422,
                "no-database-pair",
                "No database pair",
                "Deployment '" + deployment + "' has no running master with a slave; a database upgrade needs both.");
    }

    /** cloud-service could not be asked; why goes to the log, not to the caller (it may name classes and hosts). */
    static ProblemException inventoryUnavailable(RuntimeException e) {
        LOG.warnf("cloud-service's inventory did not answer: %s", e.toString());
        return new ProblemException(
                503,
                "inventory-unavailable",
                "Inventory unavailable",
                "cloud-service did not answer; check that it runs (its health at /q/health) and retry.");
    }

    static ProblemException needsLibrary(String reason) {
        return new ProblemException(
                403,
                "needs-library-role",
                "Needs the library role",
                "This is " + reason + ". Importing a server template needs the library role besides operator; ask"
                        + " someone who holds it to start the upgrade, or for a token with it. A dry run"
                        + " (?dryRun=true) shows the plan without it.");
    }
}
