package io.baton.planner.upgrade;

import io.baton.contracts.Classification;
import io.baton.contracts.UpgradeKind;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "upgrade")
public class UpgradeEntity {

    @Id
    public String id;

    public String deployment;

    @Enumerated(EnumType.STRING)
    public UpgradeKind kind;

    @Enumerated(EnumType.STRING)
    public UpgradeState state;

    @Enumerated(EnumType.STRING)
    public Classification classification;

    @Column(columnDefinition = "text")
    public String reason;

    /** The plan as the operator was shown it, as JSON. */
    @Column(columnDefinition = "text")
    public String plan;

    /** The newest routing slip the planner saw, as JSON: what an abort starts from. */
    @Column(columnDefinition = "text")
    public String lastEvent;

    @Column(columnDefinition = "text")
    public String failure;

    /** Who started, approved and aborted it: the names their tokens gave. */
    public String requestedBy;

    public String approvedBy;
    public String abortedBy;

    public Instant createdAt;
    public Instant updatedAt;
    public Instant endedAt;

    public void moveTo(UpgradeState next, Instant at) {
        if (state == next) {
            return;
        }
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("upgrade " + id + " cannot go from " + state + " to " + next);
        }
        state = next;
        updatedAt = at;
        if (next.terminal()) {
            endedAt = at;
        }
    }
}
