package io.baton.contracts.facts;

import java.util.List;

/** The facts of the application runbook's steps, in plan order. */
public final class ApplicationFacts {

    private ApplicationFacts() {}

    /** BACKUP_DATABASE: the primary backup taken before the migrations, kept whatever the outcome. */
    public record DatabaseBackedUp(String databaseBackupId, String databaseBackupOf) implements StepFacts {}

    /**
     * RUN_MIGRATIONS: the upgrade's migrations, how many ran now (the others were applied already), and how many
     * times one gave up waiting for a lock (holding the application's writes at most the lock timeout) and was tried
     * again.
     */
    public record MigrationsApplied(int migrationsApplied, int migrationsRun, int lockTimeouts) implements StepFacts {}

    /** SAVE_INPUTS: how many inputs the saved copy holds. */
    public record InputsSaved(int inputsSaved) implements StepFacts {}

    /** SET_INPUTS: the inputs set at deployment level. */
    public record InputsSet(List<String> inputsSet) implements StepFacts {}

    /** LAUNCH_APP_SERVERS: the servers serving before the upgrade, and the new ones, tested. */
    public record AppServersLaunched(List<ServerRef> oldServers, List<ServerRef> newServers) implements StepFacts {}

    /** DISABLE_ARRAY: the server arrays disabled. */
    public record ArraysDisabled(List<String> arraysDisabled) implements StepFacts {}

    /** ATTACH_NEW_SERVERS: the servers attached, each once its health check passed. */
    public record ServersAttached(List<String> attached) implements StepFacts {}

    /** DRAIN_OLD_SERVERS: the servers that take no new sessions, and how. */
    public record ServersDraining(List<String> draining, String drainBy) implements StepFacts {}

    /** AWAIT_SESSIONS_DRAINED: whether every session ended before the session TTL, and how many were cut. */
    public record SessionsDrained(boolean drained, int sessionsCut, long drainMillis) implements StepFacts {}

    /** DETACH_OLD_SERVERS: the servers out of the balancers. */
    public record ServersDetached(List<String> detached) implements StepFacts {}

    /** UPDATE_ARRAY: the server arrays given the new template and enabled. */
    public record ArraysUpdated(List<String> arraysUpdated) implements StepFacts {}

    /** SMOKE_TEST: the request made through the balancer and its answer. */
    public record SmokeTestPassed(String smokeTest) implements StepFacts {}

    /** TERMINATE_OLD_APP_SERVERS: the old application servers, terminated. */
    public record OldAppServersTerminated(List<String> terminated) implements StepFacts {}
}
