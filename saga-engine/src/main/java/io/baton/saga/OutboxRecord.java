package io.baton.saga;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An event written in the transaction that produced it, published to Kafka afterwards by the relay. */
@Entity
@Table(name = "outbox")
public class OutboxRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String eventId;

    public String topic;
    public String recordKey;
    public String type;
    public String subject;

    @Column(columnDefinition = "text")
    public String payload;

    /** The services the event asks to decide (SagaRules.concerned), by code, comma-separated; a hint for readers. */
    public String concerns;

    public Instant createdAt;
    public Instant publishedAt;

    /** When the broker refused it for good, and why: set aside, never sent again (see OutboxRelay). */
    public Instant refusedAt;

    @Column(columnDefinition = "text")
    public String refusedReason;
}
