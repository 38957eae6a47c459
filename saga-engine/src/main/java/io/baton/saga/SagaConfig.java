package io.baton.saga;

import io.baton.contracts.Owner;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "baton.saga")
public interface SagaConfig {

    /** The service this process is: decides which steps it runs and which topic it publishes to. */
    Owner owner();

    /** Partitions of each Baton topic when this service creates it; sagas spread over them by upgrade id. */
    @WithDefault("6")
    int partitions();

    @WithDefault("1")
    short replicationFactor();

    /** How often the relay looks for unpublished events even when nobody woke it (after a crash, say). */
    @WithDefault("PT1S")
    Duration relayInterval();

    /** How many compensation attempts before the saga stops and asks for an operator. */
    @WithDefault("3")
    int compensationAttempts();

    @WithDefault("PT1S")
    Duration compensationBackoff();
}
