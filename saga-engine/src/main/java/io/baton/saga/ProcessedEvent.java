package io.baton.saga;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The inbox: an event id recorded in the same transaction as its effects, so a redelivery does nothing. */
@Entity
@Table(name = "processed_event")
public class ProcessedEvent {

    @Id
    public String eventId;

    public String type;
    public String upgradeId;
    public Instant processedAt;

    protected ProcessedEvent() {}

    ProcessedEvent(String eventId, String type, String upgradeId, Instant processedAt) {
        this.eventId = eventId;
        this.type = type;
        this.upgradeId = upgradeId;
        this.processedAt = processedAt;
    }
}
