package io.baton.planner.upgrade;

import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import io.baton.planner.notify.Notifications;
import io.baton.saga.RefusedEvents;
import io.baton.saga.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * An upgrade whose first event the broker refused never started anywhere: it ends FAILED with the broker's reason and
 * its deployment is free again. The planner's other events are small (an abort, an end); one of them refused is
 * logged by the relay and left for an operator.
 */
@ApplicationScoped
public class RefusedRequests implements RefusedEvents {

    private static final Logger LOG = Logger.getLogger(RefusedRequests.class);

    private final Tx tx;

    private final Notifications notifications;

    public RefusedRequests(Tx tx, Notifications notifications) {
        this.tx = tx;
        this.notifications = notifications;
    }

    @Override
    public void refused(SagaEvent event, String reason) {
        if (event.phase() != Phase.REQUESTED) {
            LOG.errorf(
                    "upgrade %s: its %s event was refused by the broker: %s", event.upgradeId(), event.phase(), reason);
            return;
        }
        tx.run(s -> s.find(UpgradeEntity.class, event.upgradeId(), LockModeType.PESSIMISTIC_WRITE)
                .chain(u -> {
                    if (u == null || u.state.terminal()) {
                        return Uni.createFrom().voidItem();
                    }
                    u.failure = "The upgrade could not start: " + reason + ". Nothing was changed; send a smaller"
                            + " request (fewer or shorter inputs and migrations).";
                    u.moveTo(UpgradeState.FAILED, Instant.now());
                    return Timeline.release(s, u).chain(() -> notifications.upgradeMoved(s, u));
                }));
    }
}
