package io.baton.contracts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * The one payload of every saga event. The record key and the CloudEvents subject are the upgrade id.
 *
 * @param step index in the slip this event is about, -1 for events about the whole upgrade
 * @param reason why a step failed or why the upgrade was aborted, null otherwise
 * @param slip the routing slip with every step's status after this event
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
        Instant occurredAt) {

    public SagaEvent next(Phase newPhase, int newStep, String newReason, RoutingSlip newSlip, Instant at) {
        return new SagaEvent(upgradeId, deployment, kind, newPhase, newStep, newReason, newSlip, spec, at);
    }

    /** The CloudEvents type of this event when published by {@code publisher}. */
    public String type(Owner publisher) {
        return EventTypes.of(publisher, phase, step >= 0 ? slip.step(step).name() : null);
    }
}
