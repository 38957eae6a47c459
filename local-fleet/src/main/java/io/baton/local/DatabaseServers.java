package io.baton.local;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/** What the local cloud does with a database server of one engine. Every operation is safe to repeat. */
public interface DatabaseServers {

    /** The file a backup directory holds once the backup in it is whole. */
    String COMPLETE = "BACKUP_COMPLETE";

    /** Creates an empty server and starts it as a primary. */
    void initPrimary(Instance server) throws IOException, SQLException;

    /**
     * Creates a replica of {@code upstream} from a copy of {@code source}'s data (the upstream itself or one of its
     * replicas) and starts it replicating.
     */
    Instance initReplica(Instance server, Instance upstream, Instance source) throws IOException, SQLException;

    /**
     * Creates a replica of {@code upstream} from a backup taken earlier and starts it replicating; a backup on
     * another machine is copied to the server's first.
     */
    Instance restoreReplica(Instance server, LocalFleet.Backup backup, Instance upstream)
            throws IOException, SQLException;

    /**
     * A full, consistent backup of a running server into {@code target} on the server's own machine; complete when
     * this returns.
     */
    void backup(Instance source, Path target) throws IOException, SQLException;

    /** Creates a database and a login for the application, which the engine does not let bypass read-only mode. */
    void createApplicationDatabase(Instance primary, String database) throws SQLException;

    void start(Instance server) throws IOException;

    /** A clean shutdown: everything written is on disk and sent to the replicas that are connected. */
    void stop(Instance server) throws IOException;

    boolean running(Instance server);

    /** Stops the server at once and removes what it holds on its upstream (a replication slot). */
    void destroy(Instance server) throws IOException;
}
