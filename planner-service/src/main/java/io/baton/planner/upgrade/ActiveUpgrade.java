package io.baton.planner.upgrade;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One row per deployment under upgrade: the primary key is what refuses a second upgrade at the same time. */
@Entity
@Table(name = "active_upgrade")
public class ActiveUpgrade {

    @Id
    public String deployment;

    public String upgradeId;
}
