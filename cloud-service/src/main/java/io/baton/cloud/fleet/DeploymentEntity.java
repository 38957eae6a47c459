package io.baton.cloud.fleet;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "deployment")
public class DeploymentEntity {

    @Id
    public String name;

    /** Deployment-level inputs, as JSON. */
    @Column(columnDefinition = "text")
    public String inputs;

    /** Firewall rules, as JSON. */
    @Column(columnDefinition = "text")
    public String firewallRules;

    public Instant createdAt;
}
