package io.baton.saga;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * What this service knows about an upgrade beyond its own runs: whether the operator aborted it. Its row is the lock
 * that orders an abort against the outcome of a step of the same upgrade.
 */
@Entity
@Table(name = "saga")
public class SagaRecord {

    @Id
    public String upgradeId;

    public String deployment;
    public boolean aborted;
    public Instant updatedAt;

    protected SagaRecord() {}

    SagaRecord(String upgradeId, String deployment, Instant at) {
        this.upgradeId = upgradeId;
        this.deployment = deployment;
        this.updatedAt = at;
    }
}
