package io.baton.cloud.fleet;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A deployment's inputs as they were before an upgrade changed them, as the CSV the operator can download. */
@Entity
@Table(name = "inputs_backup")
public class InputsBackupEntity {

    @Id
    public String upgradeId;

    public String deployment;

    @Column(columnDefinition = "text")
    public String csv;

    public Instant savedAt;
}
