package io.baton.db.migration.sim;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The sim's schema: the history of migrations applied to a deployment's database, as a migration tool keeps it. */
@Entity
@Table(name = "sim_applied_migration")
public class AppliedMigration {

    /** {@code <upgradeId>/<index>} */
    @Id
    public String id;

    public String deployment;
    public String upgradeId;
    public int position;
    public String name;

    @Column(columnDefinition = "text")
    public String up;

    public Instant appliedAt;
}
