package io.baton.saga;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Which failures are worth trying again: the database or the network was briefly unavailable, a lock or a
 * serialization conflict lost a race. Anything else (a constraint, a bug, an event that cannot be processed) fails
 * the same way every time, and waiting for it would only block what comes after it.
 */
public final class Failures {

    private Failures() {}

    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg) {
                return transientState(pg.getSqlState());
            }
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof VertxException) {
                return true;
            }
            String type = t.getClass().getName();
            if (type.endsWith("OptimisticLockException")
                    || type.endsWith("StaleStateException")
                    || type.endsWith("LockTimeoutException")
                    || type.endsWith("PessimisticLockException")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a unique constraint refused the write: someone else wrote the same key first. */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg) {
                return "23505".equals(pg.getSqlState());
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("23505") || message.contains("duplicate key")) {
                return true;
            }
        }
        return false;
    }

    /**
     * PostgreSQL's classes of errors that pass: connection (08), transaction rollback such as a deadlock or a
     * serialization failure (40), insufficient resources (53), operator intervention such as a shutdown (57), and a
     * lock not available (55P03).
     */
    private static boolean transientState(String state) {
        return state != null
                && (state.startsWith("08")
                        || state.startsWith("40")
                        || state.startsWith("53")
                        || state.startsWith("57")
                        || state.equals("55P03"));
    }
}
