package io.baton.db.replication;

import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.baton.saga.StepFailedException;

/** What the drivers of real servers share: the local cloud's servers and the record of every switchover. */
public abstract class LocalReplication implements ReplicationDriver {

    protected final LocalFleet fleet;
    protected final Switchovers switchovers;

    protected LocalReplication(LocalFleet fleet, Switchovers switchovers) {
        this.fleet = fleet;
        this.switchovers = switchovers;
    }

    protected Instance instance(Node node) throws StepFailedException {
        return fleet.find(node.id())
                .orElseThrow(() -> new StepFailedException(
                        node.name() + " is not a server of the local cloud at " + fleet.root()));
    }
}
