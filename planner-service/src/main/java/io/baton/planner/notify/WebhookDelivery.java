package io.baton.planner.notify;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One event for one webhook: sent until its receiver answers 2xx, or given up after the last attempt. */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String webhookId;

    /** The CloudEvent's id: the same for every attempt, so that a receiver can drop a repeat. */
    public String eventId;

    public String type;
    public String upgradeId;

    @Column(columnDefinition = "text")
    public String payload;

    public Instant createdAt;
    public int attempts;
    public Instant nextAttemptAt;
    public String claimedBy;
    public Instant claimedUntil;
    public Instant deliveredAt;
    public Instant givenUpAt;

    @Column(columnDefinition = "text")
    public String lastError;
}
