package io.baton.contracts;

import io.baton.contracts.facts.ApplicationFacts;
import io.baton.contracts.facts.DatabaseFacts;
import io.baton.contracts.facts.None;
import io.baton.contracts.facts.StepFacts;

/**
 * Every step a plan can contain, with its owner, whether it can be undone, and the past-tense name of the event that
 * reports it done, with the facts it leaves in the slip. The ordering of a plan is decided by the planner, not by this
 * enum.
 */
public enum StepName {
    // database upgrade
    CREATE_SLAVE(Owner.CLOUD, true, "server-created", DatabaseFacts.SlaveCreated.class),
    LAUNCH_SLAVE(Owner.CLOUD, true, "server-launched", DatabaseFacts.SlaveLaunched.class),
    AWAIT_CATCH_UP(Owner.DB, false, "replica-caught-up", DatabaseFacts.ReplicaCaughtUp.class),
    CHECK_FIREWALL(Owner.CLOUD, false, "firewall-verified", DatabaseFacts.FirewallVerified.class),
    PROMOTE(Owner.DB, true, "master-promoted", DatabaseFacts.MasterPromoted.class),
    BACKUP_MASTER(Owner.CLOUD, true, "backup-completed", DatabaseFacts.MasterBackedUp.class),
    VERIFY_MASTER(Owner.DB, false, "master-verified", DatabaseFacts.MasterVerified.class),
    LAUNCH_NEW_SLAVE(Owner.CLOUD, true, "new-slave-launched", DatabaseFacts.NewSlaveLaunched.class),
    AWAIT_NEW_SLAVE_SYNC(Owner.DB, false, "new-slave-in-sync", DatabaseFacts.NewSlaveInSync.class),
    APPROVAL(Owner.PLANNER, false, "upgrade-approved", None.class),
    TERMINATE_OLD_PAIR(Owner.CLOUD, false, "old-servers-terminated", DatabaseFacts.OldPairTerminated.class),

    // application upgrade
    BACKUP_DATABASE(Owner.CLOUD, false, "database-backed-up", ApplicationFacts.DatabaseBackedUp.class),
    RUN_MIGRATIONS(Owner.DB, true, "migrations-applied", ApplicationFacts.MigrationsApplied.class),
    SAVE_INPUTS(Owner.CLOUD, true, "inputs-saved", ApplicationFacts.InputsSaved.class),
    SET_INPUTS(Owner.CLOUD, true, "inputs-set", ApplicationFacts.InputsSet.class),
    LAUNCH_APP_SERVERS(Owner.CLOUD, true, "app-servers-launched", ApplicationFacts.AppServersLaunched.class),
    DISABLE_ARRAY(Owner.CLOUD, true, "array-disabled", ApplicationFacts.ArraysDisabled.class),
    ATTACH_NEW_SERVERS(Owner.LB, true, "servers-attached", ApplicationFacts.ServersAttached.class),
    DRAIN_OLD_SERVERS(Owner.LB, true, "servers-draining", ApplicationFacts.ServersDraining.class),
    AWAIT_SESSIONS_DRAINED(Owner.LB, false, "sessions-drained", ApplicationFacts.SessionsDrained.class),
    DETACH_OLD_SERVERS(Owner.LB, true, "servers-detached", ApplicationFacts.ServersDetached.class),
    UPDATE_ARRAY(Owner.CLOUD, true, "array-updated", ApplicationFacts.ArraysUpdated.class),
    SMOKE_TEST(Owner.LB, false, "smoke-test-passed", ApplicationFacts.SmokeTestPassed.class),
    TERMINATE_OLD_APP_SERVERS(
            Owner.CLOUD, false, "old-app-servers-terminated", ApplicationFacts.OldAppServersTerminated.class);

    private final Owner owner;
    private final boolean compensable;
    private final String completedEvent;
    private final Class<? extends StepFacts> facts;

    StepName(Owner owner, boolean compensable, String completedEvent, Class<? extends StepFacts> facts) {
        this.owner = owner;
        this.compensable = compensable;
        this.completedEvent = completedEvent;
        this.facts = facts;
    }

    public Owner owner() {
        return owner;
    }

    public boolean compensable() {
        return compensable;
    }

    /** The record of facts the step leaves in the slip when it completes. */
    public Class<? extends StepFacts> facts() {
        return facts;
    }

    /** CloudEvents type published when this step completes, e.g. {@code baton.db.master-promoted.v1}. */
    public String completedType() {
        return EventTypes.type(owner, completedEvent);
    }
}
