package io.baton.db.steps;

import io.baton.contracts.Topology;
import io.baton.contracts.facts.DatabaseFacts.Candidate;
import io.baton.contracts.facts.DatabaseFacts.NewSlaveLaunched;
import io.baton.db.replication.ReplicationDriver;
import io.baton.db.replication.ReplicationDriver.Node;
import io.baton.saga.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The replication driver chosen by {@code baton.db.driver}, and the nodes of an upgrade as the slip names them. */
@ApplicationScoped
public class Drivers {

    private final Instance<ReplicationDriver> drivers;
    private final String name;
    private final Duration catchUpTimeout;
    private final Duration fenceTimeout;

    public Drivers(
            Instance<ReplicationDriver> drivers,
            @ConfigProperty(name = "baton.db.driver") String name,
            @ConfigProperty(name = "baton.db.catch-up-timeout") Duration catchUpTimeout,
            @ConfigProperty(name = "baton.db.fence-timeout") Duration fenceTimeout) {
        this.drivers = drivers;
        this.name = name;
        this.catchUpTimeout = catchUpTimeout;
        this.fenceTimeout = fenceTimeout;
    }

    /** The driver for the engine of the upgrade's database pair. */
    public ReplicationDriver current(StepContext context) {
        Topology topology = context.spec().database().topology();
        // an upgrade planned without the pair's configuration is one of the default engine's
        String engine = topology.current() == null ? null : topology.current().engine();
        return drivers.stream()
                .filter(d -> d.serves(engine))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("baton.db.driver=" + name
                        + " has no replication driver for engine " + engine + "; use sim or local"));
    }

    public Duration catchUpTimeout() {
        return catchUpTimeout;
    }

    public Duration fenceTimeout() {
        return fenceTimeout;
    }

    static Node oldMaster(StepContext context) {
        Topology t = context.spec().database().topology();
        return new Node(t.masterId(), t.masterName(), t.masterAddress());
    }

    static Node candidate(StepContext context) {
        Candidate c = context.facts(Candidate.class);
        return new Node(c.candidateId(), c.candidateName(), c.candidateAddress());
    }

    static Node replacement(StepContext context) {
        NewSlaveLaunched r = context.facts(NewSlaveLaunched.class);
        return new Node(r.replacementId(), r.replacementName(), r.replacementAddress());
    }
}
