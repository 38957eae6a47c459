package io.baton.lb.balancer;

import java.util.List;

/**
 * The load balancers of a deployment, as HAProxy's runtime API sees them: servers of a backend with an
 * administrative state, a health check, and current sessions.
 */
public interface LoadBalancer {

    /** Administrative state, as HAProxy's {@code set server ... state}. */
    enum State {
        /** Takes no traffic at all. */
        MAINT,
        /** Takes new sessions when its health check passes. */
        READY,
        /** Takes no new sessions; the ones it has are kept until they end. */
        DRAIN
    }

    record Member(String server, String address, State state, boolean healthy, int currentSessions) {}

    /**
     * Makes sure a server that already serves the deployment is a member, as it is on a balancer Baton did not set
     * up itself; a member already there is left as it is.
     */
    void ensureServing(String deployment, String server, String address);

    /** Adds a server in maintenance with its health check running: it takes no traffic yet. */
    void add(String deployment, String server, String address);

    /** Whether the server's health check passes now. */
    boolean healthy(String deployment, String server);

    void setState(String deployment, String server, State state);

    /**
     * Puts the health-check file on the server back, or removes it, as the runbook does to drain: without it the
     * check fails, so the balancer sends no new sessions but keeps the existing ones.
     */
    void setHealthCheckFile(String deployment, String server, boolean present);

    /** Sessions the server holds now ({@code scur}). */
    int currentSessions(String deployment, String server);

    /** Removes a server; only a server in maintenance can be removed. */
    void remove(String deployment, String server);

    List<Member> members(String deployment);

    /** Sends one request through the balancer and returns the HTTP status the client gets. */
    int request(String deployment, String path);
}
