package io.baton.planner.upgrade;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.StepName;
import io.baton.planner.api.UpgradeView;
import io.baton.planner.plan.PlannedStep;
import io.baton.saga.ApprovalGate;
import io.baton.saga.SagaRules;
import io.baton.saga.Tx;
import io.baton.saga.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;

/** An operator's commands on a running upgrade: approve it past the gate, or abort it. */
@ApplicationScoped
public class UpgradeCommands {

    private final Tx tx;
    private final ApprovalGate gate;
    private final UpgradeQueries queries;

    public UpgradeCommands(Tx tx, ApprovalGate gate, UpgradeQueries queries) {
        this.tx = tx;
        this.gate = gate;
        this.queries = queries;
    }

    public UpgradeView approve(String id, String approver) {
        tx.run(s -> s.find(UpgradeEntity.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(u -> {
                    if (u == null) {
                        return Uni.createFrom().failure(UpgradeProblems.unknown(id));
                    }
                    if (u.state != UpgradeState.AWAITING_APPROVAL) {
                        return Uni.createFrom()
                                .failure(ProblemException.conflict(
                                        "not-awaiting-approval",
                                        "Not waiting for approval",
                                        "Upgrade " + id + " is " + u.state
                                                + "; only an upgrade in AWAITING_APPROVAL can be approved."));
                    }
                    return gate.approve(s, id, gateIndex(u), approver).invoke(done -> {
                        if (done) {
                            u.approvedBy = approver;
                            u.moveTo(UpgradeState.RUNNING, Instant.now());
                        }
                    });
                }));
        return queries.view(id);
    }

    /** Turns the upgrade around: every completed step is undone, newest first. Refused once the pivot started. */
    public UpgradeView abort(String id, String operator) {
        tx.run(s -> s.find(UpgradeEntity.class, id, LockModeType.PESSIMISTIC_WRITE)
                .chain(u -> {
                    if (u == null) {
                        return Uni.createFrom().failure(UpgradeProblems.unknown(id));
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
                    return s.find(TimelineEntry.class, TimelineEntry.key(id, steps(u).size() - 1))
                            .chain(pivot -> {
                                if (pivot != null && pivot.startedAt != null) {
                                    return Uni.createFrom()
                                            .failure(ProblemException.conflict(
                                                    "past-the-pivot",
                                                    "Past the pivot",
                                                    "Upgrade " + id + " is terminating the old servers; it can no"
                                                            + " longer be rolled back."));
                                }
                                SagaEvent last = Json.read(u.lastEvent, SagaEvent.class);
                                u.moveTo(UpgradeState.ABORTING, Instant.now());
                                u.abortedBy = operator;
                                return gate.abort(
                                        s,
                                        last.next(
                                                        Phase.ABORT_REQUESTED,
                                                        -1,
                                                        SagaRules.ABORTED,
                                                        last.slip(),
                                                        Instant.now())
                                                .by(operator));
                            });
                }));
        return queries.view(id);
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
}
