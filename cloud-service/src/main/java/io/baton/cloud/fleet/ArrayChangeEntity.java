package io.baton.cloud.fleet;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A server array as it was before a step of an upgrade changed it: what that step's undo puts back. */
@Entity
@Table(name = "array_change")
public class ArrayChangeEntity {

    /** {@code <upgradeId>/<step>/<array id>} */
    @Id
    public String id;

    public String arrayId;
    public String serverTemplate;
    public Integer templateRevision;
    public boolean enabled;
}
