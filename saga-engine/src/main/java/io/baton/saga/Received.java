package io.baton.saga;

import io.baton.contracts.SagaEvent;

/** A saga event as read from Kafka: its CloudEvents id and type, its data, and the topic it came from. */
public record Received(String eventId, String type, SagaEvent event, String topic) {}
