package io.baton.contracts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The one payload of every saga event. The record key and the CloudEvents subject are the upgrade id.
 *
 * @param step index in the slip this event is about, -1 for events about the whole upgrade
 * @param reason why a step failed or why the upgrade was aborted, null otherwise
 * @param slip the routing slip with every step's status after this event
 * @param actor who asked for it, as their token names them: set on upgrade-requested (who started the upgrade),
 *     abort-requested (who aborted it) and the approval step's step-completed (who approved it); null on every event a
 *     service decides by itself, and then left out
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SagaEvent(
        String upgradeId,
        String deployment,
        UpgradeKind kind,
        Phase phase,
        int step,
        String reason,
        RoutingSlip slip,
        UpgradeSpec spec,
        Instant occurredAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String actor) {

    /** The longest reason an event carries: a longer one (a driver's error output, say) is cut here. */
    public static final int REASON_LIMIT = 8192;

    public SagaEvent {
        if (reason != null && reason.length() > REASON_LIMIT) {
            reason = reason.substring(0, REASON_LIMIT) + " [cut]";
        }
    }

    /** An event no person asked for. */
    public SagaEvent(
            String upgradeId,
            String deployment,
            UpgradeKind kind,
            Phase phase,
            int step,
            String reason,
            RoutingSlip slip,
            UpgradeSpec spec,
            Instant occurredAt) {
        this(upgradeId, deployment, kind, phase, step, reason, slip, spec, occurredAt, null);
    }

    /** The event that follows this one; nobody's, until {@link #by} says whose. */
    public SagaEvent next(Phase newPhase, int newStep, String newReason, RoutingSlip newSlip, Instant at) {
        return new SagaEvent(upgradeId, deployment, kind, newPhase, newStep, newReason, newSlip, spec, at, null);
    }

    /** This event, asked for by {@code who}. */
    public SagaEvent by(String who) {
        return new SagaEvent(upgradeId, deployment, kind, phase, step, reason, slip, spec, occurredAt, who);
    }

    /** The CloudEvents type of this event when published by {@code publisher}. */
    public String type(Owner publisher) {
        return EventTypes.of(publisher, phase, step >= 0 ? slip.step(step).name() : null);
    }
}
