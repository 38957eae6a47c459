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
    TERMINATE_OLD_PAIR(Owner.CLOUD, false, "old-servers-terminated"),

    // application upgrade
    BACKUP_DATABASE(Owner.CLOUD, false, "database-backed-up"),
    RUN_MIGRATIONS(Owner.DB, true, "migrations-applied"),
    SAVE_INPUTS(Owner.CLOUD, true, "inputs-saved"),
    SET_INPUTS(Owner.CLOUD, true, "inputs-set"),
    LAUNCH_APP_SERVERS(Owner.CLOUD, true, "app-servers-launched"),
    DISABLE_ARRAY(Owner.CLOUD, true, "array-disabled"),
    ATTACH_NEW_SERVERS(Owner.LB, true, "servers-attached"),
    DRAIN_OLD_SERVERS(Owner.LB, true, "servers-draining"),
    AWAIT_SESSIONS_DRAINED(Owner.LB, false, "sessions-drained"),
    DETACH_OLD_SERVERS(Owner.LB, true, "servers-detached"),
    UPDATE_ARRAY(Owner.CLOUD, true, "array-updated"),
    SMOKE_TEST(Owner.LB, false, "smoke-test-passed"),
    TERMINATE_OLD_APP_SERVERS(Owner.CLOUD, false, "old-app-servers-terminated");

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
