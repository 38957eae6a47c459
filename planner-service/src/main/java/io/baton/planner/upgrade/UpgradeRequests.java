package io.baton.planner.upgrade;

import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.Json;
import io.baton.contracts.Migration;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.Topology;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.UpgradeSpec;
import io.baton.contracts.api.CreateUpgrade;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.planner.api.PlanView;
import io.baton.planner.fleet.CloudInventory;
import io.baton.planner.plan.Classifier;
import io.baton.planner.plan.Decision;
import io.baton.planner.plan.MigrationClassifier;
import io.baton.planner.plan.PlanBuilder;
import io.baton.planner.plan.PlannedStep;
import io.baton.saga.Failures;
import io.baton.saga.Outbox;
import io.baton.saga.Tx;
import io.baton.saga.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * A request for an upgrade: checked, classified against the inventory, planned, then either answered as a dry run or
 * recorded and published as the saga's first event, in one transaction.
 */
@ApplicationScoped
public class UpgradeRequests {

    private final CloudInventory inventory;
    private final Tx tx;
    private final Outbox outbox;

    public UpgradeRequests(@RestClient CloudInventory inventory, Tx tx, Outbox outbox) {
        this.inventory = inventory;
        this.tx = tx;
        this.outbox = outbox;
    }

    /** Who asks: the name the audit records, and whether they hold the library role a template import needs. */
    public record Requester(String name, boolean library) {}

    public PlanView start(CreateUpgrade request, boolean dryRun, Requester requester) {
        return request.kind() == UpgradeKind.APPLICATION
                ? application(request, dryRun, requester)
                : database(request, dryRun, requester);
    }

    private PlanView database(CreateUpgrade request, boolean dryRun, Requester requester) {
        if (request.change() == null) {
            throw ProblemException.badRequest(
                    "A database upgrade needs a 'change': the fields to change.", List.of("change: must not be null"));
        }
        DeploymentView deployment = deployment(request.deployment());
        ServerView master = deployment.master().orElseThrow(() -> UpgradeProblems.noPair(deployment.name()));
        ServerView slave = deployment.slave().orElseThrow(() -> UpgradeProblems.noPair(deployment.name()));
        Decision decision = Classifier.classify(slave.config(), request.change());
        if (decision.nothingToDo()) {
            throw new ProblemException(
                    422,
                    "nothing-to-do",
                    "Nothing to upgrade",
                    "The servers of '" + deployment.name() + "' already have every value in the change; "
                            + "name at least one field with a new value.");
        }
        if (!dryRun && !requester.library() && importsTemplate(decision)) {
            throw UpgradeProblems.needsLibrary(decision.reason());
        }
        ServerConfig target = slave.config().apply(request.change());
        Topology topology = new Topology(
                master.id(),
                master.name(),
                master.address(),
                slave.id(),
                slave.name(),
                slave.address(),
                slave.config());
        DatabaseUpgrade upgrade =
                new DatabaseUpgrade(decision.classification(), decision.reason(), request.change(), target, topology);
        List<PlannedStep> plan = PlanBuilder.database(upgrade, request.approvalRequired());
        UpgradeSpec spec = new UpgradeSpec(upgrade, request.approvalRequired());
        return begin(deployment.name(), UpgradeKind.DATABASE, spec, decision, plan, dryRun, requester);
    }

    /** Another server template or another revision of it: the runbook imports it, which needs the library role. */
    private static boolean importsTemplate(Decision decision) {
        return decision.changed().contains("serverTemplate")
                || decision.changed().contains("templateRevision");
    }

    private PlanView application(CreateUpgrade request, boolean dryRun, Requester requester) {
        List<Migration> migrations = request.migrations() == null ? List.of() : request.migrations();
        SmokeTest smoke = request.smokeTest() != null ? request.smokeTest() : new SmokeTest("/", 200);
        List<String> errors = incomplete(request, migrations, smoke);
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest(
                    "The application upgrade is incomplete; fix the fields listed in errors.", errors);
        }
        List<String> refused = notAdditive(migrations);
        if (!refused.isEmpty()) {
            throw new ProblemException(
                    422,
                    "incompatible-migration",
                    "This change needs downtime",
                    "The statements listed in errors are not additive: the running version would break while both"
                            + " versions serve. Upgrade with downtime (the major upgrade scenario), or split the change"
                            + " into additive steps now and the rest in a later upgrade.",
                    refused);
        }
        DeploymentView deployment = deployment(request.deployment());
        int appServers = deployment.running(Role.APP).size();
        if (appServers == 0) {
            throw new ProblemException(
                    422,
                    "no-app-servers",
                    "No application servers",
                    "Deployment '" + deployment.name() + "' has no running application server to upgrade.");
        }
        ApplicationUpgrade upgrade = new ApplicationUpgrade(
                request.source().repository(),
                request.source().ref(),
                request.inputs() == null ? Map.of() : request.inputs(),
                request.serverChange(),
                migrations,
                request.sessionTtl(),
                request.drainBy() != null ? request.drainBy() : DrainMode.DRAIN_STATE,
                smoke);
        List<PlannedStep> plan = PlanBuilder.application(upgrade, appServers, request.approvalRequired());
        String reason = "minor upgrade of " + appServers + " application server(s) to " + upgrade.ref()
                + (migrations.isEmpty() ? "" : " with " + migrations.size() + " additive migration(s)");
        UpgradeSpec spec = new UpgradeSpec(null, upgrade, request.approvalRequired());
        Decision decision = new Decision(Classification.MINOR, reason, List.of());
        return begin(deployment.name(), UpgradeKind.APPLICATION, spec, decision, plan, dryRun, requester);
    }

    private static List<String> incomplete(CreateUpgrade request, List<Migration> migrations, SmokeTest smoke) {
        List<String> errors = new ArrayList<>();
        if (request.source() == null
                || blank(request.source().repository())
                || blank(request.source().ref())) {
            errors.add("source: give the repository and the branch, tag or commit to deploy");
        }
        if (request.sessionTtl() == null
                || request.sessionTtl().isNegative()
                || request.sessionTtl().isZero()
                || request.sessionTtl().compareTo(CreateUpgrade.LONGEST_SESSION_TTL) > 0) {
            errors.add("sessionTtl: a positive ISO-8601 duration of at most PT24H that bounds the drain, such as"
                    + " PT10M");
        }
        for (int i = 0; i < migrations.size(); i++) {
            Migration m = migrations.get(i);
            if (m == null || blank(m.up()) || blank(m.down())) {
                errors.add("migrations[" + i + "]: give both its up and its down script");
            }
        }
        if (blank(smoke.path())
                || !smoke.path().startsWith("/")
                || smoke.expectedStatus() < 100
                || smoke.expectedStatus() > 599) {
            errors.add("smokeTest: a path starting with / and an HTTP status from 100 to 599");
        }
        return errors;
    }

    /** Each statement of the migrations that is not additive, with its migration and why. */
    private static List<String> notAdditive(List<Migration> migrations) {
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < migrations.size(); i++) {
            Migration m = migrations.get(i);
            String label = "migrations[" + i + "]" + (blank(m.name()) ? "" : " (" + m.name() + ")");
            for (MigrationClassifier.Verdict v : MigrationClassifier.classify(m.up())) {
                if (!v.additive()) {
                    refused.add(label + ": " + v.statement() + " -- " + v.reason());
                }
            }
        }
        return refused;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Answers the plan of a dry run; otherwise records the upgrade, publishes its plan and answers it running. */
    private PlanView begin(
            String deployment,
            UpgradeKind kind,
            UpgradeSpec spec,
            Decision decision,
            List<PlannedStep> plan,
            boolean dryRun,
            Requester requester) {
        String id = null;
        if (!dryRun) {
            id = UUID.randomUUID().toString();
            Instant now = Instant.now();
            record(
                    new SagaEvent(
                            id,
                            deployment,
                            kind,
                            Phase.REQUESTED,
                            -1,
                            null,
                            PlanBuilder.slip(plan),
                            spec,
                            now,
                            requester.name()),
                    decision,
                    plan,
                    now);
        }
        return new PlanView(
                id,
                deployment,
                kind,
                dryRun ? null : UpgradeState.RUNNING.name(),
                dryRun,
                decision.classification(),
                decision.reason(),
                decision.changed(),
                plan);
    }

    /** Records the upgrade and publishes its plan, in one transaction; 409 when the deployment is busy. */
    private void record(SagaEvent requested, Decision decision, List<PlannedStep> plan, Instant now) {
        try {
            tx.run(s -> s.find(ActiveUpgrade.class, requested.deployment()).chain(active -> {
                if (active != null) {
                    return Uni.createFrom().failure(UpgradeProblems.busy(requested.deployment(), active.upgradeId));
                }
                return persist(s, requested, decision, plan, now);
            }));
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Failures.isUniqueViolation(e)) {
                throw UpgradeProblems.busy(requested.deployment(), null);
            }
            throw e;
        }
    }

    private Uni<Void> persist(
            Mutiny.Session s, SagaEvent requested, Decision decision, List<PlannedStep> plan, Instant now) {
        ActiveUpgrade lock = new ActiveUpgrade();
        lock.deployment = requested.deployment();
        lock.upgradeId = requested.upgradeId();
        UpgradeEntity u = new UpgradeEntity();
        u.id = requested.upgradeId();
        u.deployment = requested.deployment();
        u.kind = requested.kind();
        u.state = UpgradeState.RUNNING;
        u.classification = decision.classification();
        u.reason = decision.reason();
        u.plan = Json.write(plan);
        u.requestedBy = requested.actor();
        u.lastEvent = Json.write(requested);
        u.createdAt = now;
        u.updatedAt = now;
        List<Object> rows = new ArrayList<>(List.of(lock, u));
        for (PlannedStep step : plan) {
            TimelineEntry t = new TimelineEntry();
            t.id = TimelineEntry.key(u.id, step.index());
            t.upgradeId = u.id;
            t.stepIndex = step.index();
            t.name = step.name().name();
            t.owner = step.owner().code();
            t.pivot = step.pivot();
            t.outcome = StepOutcome.PENDING;
            rows.add(t);
        }
        return s.persistAll(rows.toArray()).call(s::flush).chain(() -> outbox.add(s, requested));
    }

    private DeploymentView deployment(String name) {
        try {
            return inventory.deployment(name);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                throw ProblemException.notFound(
                        "unknown-deployment",
                        "No deployment named '" + name + "' is registered in cloud-service; register it with "
                                + "POST /deployments on cloud-service first.");
            }
            throw UpgradeProblems.inventoryUnavailable(e);
        } catch (RuntimeException e) {
            throw UpgradeProblems.inventoryUnavailable(e);
        }
    }
}
