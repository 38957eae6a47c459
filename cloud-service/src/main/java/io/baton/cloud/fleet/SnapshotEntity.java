package io.baton.cloud.fleet;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A primary backup of a database server. */
@Entity
@Table(name = "snapshot")
public class SnapshotEntity {

    @Id
    public String id;

    public String deployment;
    public String serverId;
    public String createdBy;
    public int progress;
    public Instant createdAt;
    public Instant completedAt;
}
