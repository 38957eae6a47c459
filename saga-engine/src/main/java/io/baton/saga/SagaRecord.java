package io.baton.saga;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/** What this service knows about one upgrade: whether the operator aborted it, and the newest slip it saw. */
@Entity
@Table(name = "saga")
public class SagaRecord {

    @Id
    public String upgradeId;

    public String deployment;
    public boolean aborted;

    @Column(columnDefinition = "text")
    public String lastEvent;

    public Instant updatedAt;

    @Version
    public long version;
}
