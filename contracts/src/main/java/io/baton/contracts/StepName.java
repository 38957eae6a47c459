package io.baton.contracts;

/**
 * Every step a plan can contain, with its owner, whether it can be undone, and the past-tense name of the event that
 * reports it done. The ordering of a plan is decided by the planner, not by this enum.
 */
public enum StepName {
    // database upgrade
    CREATE_SLAVE(Owner.CLOUD, true, "server-created"),
    LAUNCH_SLAVE(Owner.CLOUD, true, "server-launched"),
    AWAIT_CATCH_UP(Owner.DB, false, "replica-caught-up"),
    CHECK_FIREWALL(Owner.CLOUD, false, "firewall-verified"),
    PROMOTE(Owner.DB, true, "master-promoted"),
    BACKUP_MASTER(Owner.CLOUD, true, "backup-completed"),
    VERIFY_MASTER(Owner.DB, false, "master-verified"),
    LAUNCH_NEW_SLAVE(Owner.CLOUD, true, "new-slave-launched"),
    AWAIT_NEW_SLAVE_SYNC(Owner.DB, false, "new-slave-in-sync"),
    APPROVAL(Owner.PLANNER, false, "upgrade-approved"),
    TERMINATE_OLD_PAIR(Owner.CLOUD, false, "old-servers-terminated");

    private final Owner owner;
    private final boolean compensable;
    private final String completedEvent;

    StepName(Owner owner, boolean compensable, String completedEvent) {
        this.owner = owner;
        this.compensable = compensable;
        this.completedEvent = completedEvent;
    }

    public Owner owner() {
        return owner;
    }

    public boolean compensable() {
        return compensable;
    }

    /** CloudEvents type published when this step completes, e.g. {@code baton.db.master-promoted.v1}. */
    public String completedType() {
        return EventTypes.type(owner, completedEvent);
    }
}
