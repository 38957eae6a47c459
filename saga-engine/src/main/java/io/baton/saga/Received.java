package io.baton.saga;

import io.baton.contracts.SagaEvent;

/** A saga event as read from Kafka: its CloudEvents id and type, and its data. */
public record Received(String eventId, String type, SagaEvent event) {}
