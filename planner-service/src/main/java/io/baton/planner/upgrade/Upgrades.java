package io.baton.planner.upgrade;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.Classification;
import io.baton.contracts.DatabaseUpgrade;
import io.baton.contracts.Json;
import io.baton.contracts.Migration;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.StepName;
import io.baton.contracts.Topology;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.UpgradeSpec;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.planner.api.CreateUpgrade;
import io.baton.planner.api.PlanView;
import io.baton.planner.api.UpgradeView;
import io.baton.planner.fleet.CloudInventory;
import io.baton.planner.plan.Classifier;
import io.baton.planner.plan.Decision;
import io.baton.planner.plan.MigrationClassifier;
import io.baton.planner.plan.PlanBuilder;
import io.baton.planner.plan.PlannedStep;
import io.baton.saga.Outbox;
import io.baton.saga.OutboxRelay;
import io.baton.saga.SagaEngine;
import io.baton.saga.Tx;
import io.baton.saga.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.ws.rs.WebApplicationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.hibernate.reactive.mutiny.Mutiny;

/** Starting, reading, approving and aborting upgrades. */
@ApplicationScoped
public class Upgrades {

    private final CloudInventory inventory;
    private final Tx tx;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final SagaEngine engine;

    public Upgrades(@RestClient CloudInventory inventory, Tx tx, Outbox outbox, OutboxRelay relay, SagaEngine engine) {
        this.inventory = inventory;
        this.tx = tx;
        this.outbox = outbox;
        this.relay = relay;
        this.engine = engine;
    }

    public PlanView start(CreateUpgrade request, boolean dryRun) {
        if (request.kind() == UpgradeKind.APPLICATION) {
            return application(request, dryRun);
        }
        if (request.change() == null) {
            throw ProblemException.badRequest(
                    "A database upgrade needs a 'change': the fields to change.", List.of("change: must not be null"));
        }
        DeploymentView deployment = deployment(request.deployment());
        ServerView master = deployment.master().orElseThrow(() -> noPair(deployment.name()));
        ServerView slave = deployment.slave().orElseThrow(() -> noPair(deployment.name()));
        Decision decision = Classifier.classify(slave.config(), request.change());
        if (decision.nothingToDo()) {
            throw new ProblemException(
                    422,
                    "nothing-to-do",
                    "Nothing to upgrade",
                    "The servers of '" + deployment.name() + "' already have every value in the change; "
                            + "name at least one field with a new value.");
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
        return begin(
                deployment.name(),
                UpgradeKind.DATABASE,
                new UpgradeSpec(upgrade, request.approvalRequired()),
                decision,
                plan,
                dryRun);
    }

    private PlanView application(CreateUpgrade request, boolean dryRun) {
        List<String> errors = new ArrayList<>();
        if (request.source() == null
                || blank(request.source().repository())
                || blank(request.source().ref())) {
            errors.add("source: give the repository and the branch, tag or commit to deploy");
        }
        if (request.sessionTtl() == null
                || request.sessionTtl().isNegative()
                || request.sessionTtl().isZero()) {
            errors.add("sessionTtl: a positive ISO-8601 duration that bounds the drain, such as PT10M");
        }
        List<Migration> migrations = request.migrations() == null ? List.of() : request.migrations();
        for (int i = 0; i < migrations.size(); i++) {
            Migration m = migrations.get(i);
            if (m == null || blank(m.up()) || blank(m.down())) {
                errors.add("migrations[" + i + "]: give both its up and its down script");
            }
        }
        SmokeTest smoke = request.smokeTest() != null ? request.smokeTest() : new SmokeTest("/", 200);
        if (blank(smoke.path())
                || !smoke.path().startsWith("/")
                || smoke.expectedStatus() < 100
                || smoke.expectedStatus() > 599) {
            errors.add("smokeTest: a path starting with / and an HTTP status from 100 to 599");
        }
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest(
                    "The application upgrade is incomplete; fix the fields listed in errors.", errors);
        }
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < migrations.size(); i++) {
            String label = "migrations[" + i + "]"
                    + (blank(migrations.get(i).name())
                            ? ""
                            : " (" + migrations.get(i).name() + ")");
            for (MigrationClassifier.Verdict v :
                    MigrationClassifier.classify(migrations.get(i).up())) {
                if (!v.additive()) {
                    refused.add(label + ": " + v.statement() + " -- " + v.reason());
                }
            }
        }
        if (!refused.isEmpty()) {
            throw new ProblemException(
                    422,
                    "incompatible-migration",
                    "This change needs downtime",
                    "The statements listed in errors are not additive: the running version would break while both versions"
                            + " serve. Upgrade with downtime (the major upgrade scenario), or split the change into additive"
                            + " steps now and the rest in a later upgrade.",
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
        return begin(
                deployment.name(),
                UpgradeKind.APPLICATION,
                new UpgradeSpec(null, upgrade, request.approvalRequired()),
                new Decision(Classification.MINOR, reason, List.of()),
                plan,
                dryRun);
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
            boolean dryRun) {
        if (dryRun) {
            return new PlanView(
                    null,
                    deployment,
                    kind,
                    null,
                    true,
                    decision.classification(),
                    decision.reason(),
                    decision.changed(),
                    plan);
        }
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        SagaEvent requested =
                new SagaEvent(id, deployment, kind, Phase.REQUESTED, -1, null, PlanBuilder.slip(plan), spec, now);
        begin(requested, decision, plan, now);
        relay.wake();
        return new PlanView(
                id,
                deployment,
                kind,
                UpgradeState.RUNNING.name(),
                false,
                decision.classification(),
                decision.reason(),
                decision.changed(),
                plan);
    }

    /** Records the upgrade and publishes its plan, in one transaction; 409 when the deployment is busy. */
    private void begin(SagaEvent requested, Decision decision, List<PlannedStep> plan, Instant now) {
        try {
            tx.run(s -> s.find(ActiveUpgrade.class, requested.deployment()).chain(active -> {
                if (active != null) {
                    return Uni.createFrom().failure(busy(requested.deployment(), active.upgradeId));
                }
                return persist(s, requested, decision, plan, now);
            }));
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            if (isUniqueViolation(e)) {
                throw busy(requested.deployment(), null);
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
        u.lastEvent = Json.write(requested);
        u.createdAt = now;
        u.updatedAt = now;
        List<Object> rows = new ArrayList<>(List.of(lock, u));
        for (PlannedStep step : plan) {
            TimelineEntry t = new TimelineEntry();
            t.id = u.id + "/" + step.index();
            t.upgradeId = u.id;
            t.stepIndex = step.index();
            t.name = step.name().name();
            t.owner = step.owner().code();
            t.pivot = step.pivot();
            t.outcome = "PENDING";
            rows.add(t);
        }
        return s.persistAll(rows.toArray()).call(s::flush).chain(() -> outbox.add(s, requested));
    }

    public UpgradeView view(String id) {
        return tx.run(s -> s.find(UpgradeEntity.class, id).chain(u -> {
            if (u == null) {
                return Uni.createFrom().failure(unknown(id));
            }
            return s.createQuery("from TimelineEntry where upgradeId = :u order by stepIndex", TimelineEntry.class)
                    .setParameter("u", id)
                    .getResultList()
                    .chain(steps -> s.createQuery("from EventEntry where upgradeId = :u order by id", EventEntry.class)
                            .setParameter("u", id)
                            .getResultList()
                            .map(events -> view(u, steps, events)));
        }));
    }

    public List<UpgradeView> list(String deployment, UpgradeState state) {
        StringBuilder hql = new StringBuilder("select id from UpgradeEntity where 1 = 1");
        if (deployment != null) {
            hql.append(" and deployment = :d");
        }
        if (state != null) {
            hql.append(" and state = :st");
        }
        hql.append(" order by createdAt desc");
        List<String> ids = tx.run(s -> {
            var query = s.createQuery(hql.toString(), String.class).setMaxResults(200);
            if (deployment != null) {
                query.setParameter("d", deployment);
            }
            if (state != null) {
                query.setParameter("st", state);
            }
            return query.getResultList();
        });
        return ids.stream().map(this::view).toList();
    }

    public UpgradeView approve(String id) {
        tx.run(s -> s.find(UpgradeEntity.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(u -> {
                    if (u == null) {
                        return Uni.createFrom().failure(unknown(id));
                    }
                    if (u.state != UpgradeState.AWAITING_APPROVAL) {
                        return Uni.createFrom()
                                .failure(ProblemException.conflict(
                                        "not-awaiting-approval",
                                        "Not waiting for approval",
                                        "Upgrade " + id + " is " + u.state
                                                + "; only an upgrade in AWAITING_APPROVAL can be approved."));
                    }
                    int gate = gateIndex(u);
                    return engine.completeWaiting(s, id, gate).invoke(done -> {
                        if (done) {
                            u.moveTo(UpgradeState.RUNNING, Instant.now());
                        }
                    });
                }));
        relay.wake();
        return view(id);
    }

    public UpgradeView abort(String id) {
        tx.run(s -> s.find(UpgradeEntity.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(u -> {
                    if (u == null) {
                        return Uni.createFrom().failure(unknown(id));
                    }
                    if (u.state.terminal()) {
                        return Uni.createFrom()
                                .failure(ProblemException.conflict(
                                        "upgrade-ended",
                                        "The upgrade has ended",
                                        "Upgrade " + id + " is " + u.state + "; there is nothing left to abort."));
                    }
                    if (u.state == UpgradeState.ABORTING || u.state == UpgradeState.ROLLING_BACK) {
                        return Uni.createFrom().voidItem();
                    }
                    return s.find(TimelineEntry.class, id + "/" + (steps(u).size() - 1))
                            .chain(pivot -> {
                                if (pivot != null && pivot.startedAt != null) {
                                    return Uni.createFrom()
                                            .failure(
                                                    ProblemException.conflict(
                                                            "past-the-pivot",
                                                            "Past the pivot",
                                                            "Upgrade " + id
                                                                    + " is terminating the old servers; it can no longer be rolled back."));
                                }
                                SagaEvent last = Json.read(u.lastEvent, SagaEvent.class);
                                RoutingSlip slip = last.slip();
                                u.moveTo(UpgradeState.ABORTING, Instant.now());
                                return engine.markAborted(s, id, u.deployment)
                                        .chain(() -> outbox.add(
                                                s,
                                                last.next(
                                                        Phase.ABORT_REQUESTED,
                                                        -1,
                                                        "aborted by the operator",
                                                        slip,
                                                        Instant.now())))
                                        .chain(() -> engine.failWaiting(s, id, "aborted by the operator"))
                                        .replaceWithVoid();
                            });
                }));
        relay.wake();
        return view(id);
    }

    private static int gateIndex(UpgradeEntity u) {
        return steps(u).stream()
                .filter(p -> p.name() == StepName.APPROVAL)
                .findFirst()
                .orElseThrow()
                .index();
    }

    private static List<PlannedStep> steps(UpgradeEntity u) {
        return Json.read(u.plan, new TypeReference<List<PlannedStep>>() {});
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
            throw unavailable(e);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private static ProblemException unavailable(RuntimeException e) {
        return new ProblemException(
                503,
                "inventory-unavailable",
                "Inventory unavailable",
                "cloud-service did not answer (" + e.getMessage() + "); check that it runs and retry.");
    }

    private static ProblemException noPair(String deployment) {
        return new ProblemException(
                422,
                "no-database-pair",
                "No database pair",
                "Deployment '" + deployment + "' has no running master with a slave; a database upgrade needs both.");
    }

    private static ProblemException busy(String deployment, String active) {
        return ProblemException.conflict(
                "deployment-busy",
                "Another upgrade is running",
                "Deployment '" + deployment + "' is already being upgraded"
                        + (active != null ? " by " + active : "")
                        + "; wait for it to end, or abort it with POST /upgrades/" + (active != null ? active : "{id}")
                        + "/abort.");
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound(
                "unknown-upgrade", "No upgrade has the id '" + id + "'; list them with GET /upgrades.");
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("23505") || message.contains("duplicate key")) {
                return true;
            }
        }
        return false;
    }

    private static UpgradeView view(UpgradeEntity u, List<TimelineEntry> steps, List<EventEntry> events) {
        return new UpgradeView(
                u.id,
                u.deployment,
                u.kind,
                u.state.name(),
                u.classification,
                u.reason,
                u.failure,
                u.createdAt,
                u.updatedAt,
                u.endedAt,
                steps.stream()
                        .map(t -> new UpgradeView.StepView(
                                t.stepIndex,
                                t.name,
                                t.owner,
                                t.pivot,
                                t.outcome,
                                t.startedAt,
                                t.endedAt,
                                t.compensationStartedAt,
                                t.compensatedAt,
                                PlannerListener.read(t.details)))
                        .toList(),
                events.stream()
                        .map(e -> new UpgradeView.EventView(e.at, e.type, e.step, e.reason))
                        .toList());
    }
}
