package io.baton.saga;

import io.baton.contracts.Owner;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "baton.saga")
public interface SagaConfig {

    /** The service this process is: decides which steps it runs and which topic it publishes to. */
    Owner owner();

    /**
     * Which replica of its service this process is: distinct for each replica and kept across its restarts, so that
     * the consumer group's static membership gives a restarted replica its partitions back at once.
     */
    String instanceId();

    /** Partitions of each Baton topic when this service creates it; sagas spread over them by upgrade id. */
    @WithDefault("6")
    int partitions();

    @WithDefault("1")
    short replicationFactor();

    /** How often the relay looks for unpublished events even when nobody woke it (after a crash, say). */
    @WithDefault("PT1S")
    Duration relayInterval();

    /** The most events the relay sends at once before it marks them published, in one transaction. */
    @WithDefault("500")
    int relayBatch();

    /** How many steps run at once; more wait their turn. Steps that wait long (catch-up, drain) hold one each. */
    @WithDefault("64")
    int workers();

    /** How many compensation attempts before the saga stops and asks for an operator. */
    @WithDefault("3")
    int compensationAttempts();

    @WithDefault("PT1S")
    Duration compensationBackoff();

    /**
     * How long a step's outcome, or a poll's events, may wait for the database to take them. Past it, a step's run
     * stays RUNNING for the sweep, and the consumer stops the service so that its events come again after a restart.
     */
    @WithDefault("PT5M")
    Duration recordTimeout();

    /**
     * The longest a transaction may take before its caller stops waiting (the failure counts as passing: the database
     * ends a transaction left idle for half this long, so trying again is safe). A bound, not a expected duration.
     */
    @WithDefault("PT1M")
    Duration txTimeout();

    /**
     * Whether {@code /faults} answers: fault injection is for demos, drills and tests (./baton and the test suites turn
     * it on); a production service has it off.
     */
    @WithDefault("false")
    boolean faultsEnabled();

    /**
     * How often runs left RUNNING with nobody on them are taken over and run again: a dead replica's, once their
     * lease passed, and this replica's own whose outcome could not be recorded.
     */
    @WithDefault("PT5S")
    Duration sweepInterval();

    /**
     * How long an event of an upgrade whose {@code upgrade-requested} this service has not seen waits for it (topics
     * are read in no set order); then it goes to the dead-letter topic, never acted on.
     */
    @WithDefault("PT10M")
    Duration parkTimeout();

    /**
     * How long a replica holds a run it started without renewing it: its heartbeat ({@code baton.saga.heartbeat})
     * renews it every third of this; a replica that died loses its runs to another (or to itself, restarted) once
     * it has passed.
     */
    @WithDefault("PT10S")
    Duration lease();

    /** How often a replica renews the leases of the runs it is running. */
    @WithDefault("PT3S")
    Duration heartbeat();

    /**
     * How many times a run is started at most (its first start and resumptions after restarts or sweeps) before it is
     * given up: its step then fails (undone) or, for an undo, ends COMPENSATION_FAILED for an operator.
     */
    @WithDefault("5")
    int maxAttempts();

    /** How often parked events are looked at: acted on once their request came, dead-lettered past the timeout. */
    @WithDefault("PT5S")
    Duration parkSweep();
}
