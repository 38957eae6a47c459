package io.baton.saga;

import io.baton.contracts.SagaEvent;

/**
 * What a service does when the broker refused one of its events for good: the relay has set it aside (so that later
 * events flow) and calls every bean of this type with the event and why.
 */
public interface RefusedEvents {

    void refused(SagaEvent event, String reason);
}
