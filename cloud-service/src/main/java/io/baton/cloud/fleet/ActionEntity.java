package io.baton.cloud.fleet;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An instance action that really happened: the audit trail, and the proof that none ran twice. */
@Entity
@Table(name = "cloud_action")
public class ActionEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String upgradeId;
    public String deployment;
    public String action;
    public String target;
    public Instant at;

    static ActionEntity of(String upgradeId, String deployment, String action, String target) {
        ActionEntity a = new ActionEntity();
        a.upgradeId = upgradeId;
        a.deployment = deployment;
        a.action = action;
        a.target = target;
        a.at = Instant.now();
        return a;
    }
}
