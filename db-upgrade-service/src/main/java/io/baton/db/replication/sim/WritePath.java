package io.baton.db.replication.sim;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Where the application's writes go for a deployment: the role PgBouncer plays for a real PostgreSQL pair. */
@Entity
@Table(name = "sim_write_path")
public class WritePath {

    @Id
    public String deployment;

    public String masterId;
}
