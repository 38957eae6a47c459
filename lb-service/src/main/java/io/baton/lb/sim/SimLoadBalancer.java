package io.baton.lb.sim;

import io.baton.lb.balancer.LoadBalancer;
import io.baton.saga.Rows;
import io.baton.saga.Tx;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * A balancer in memory that behaves as HAProxy does where an upgrade cares: a new server's health check passes only
 * after a delay and only while its health-check file is there; new sessions go to servers that are READY and
 * healthy, round robin; a draining or unhealthy server keeps its sessions until each one ends. Its members and open
 * sessions are written through to lb-service's database (tables {@code sim_member}, {@code sim_session}) and read back
 * by every operation: a restarted lb-service, or another replica, finds the balancers as HAProxy would keep them.
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.lb.driver", stringValue = "sim")
public class SimLoadBalancer implements LoadBalancer {

    private static final class SimMember {
        final String address;
        volatile State state = State.MAINT;
        volatile boolean healthCheckFile = true;
        final Instant checkPassesAt;
        final List<Instant> sessionsEndAt = new ArrayList<>();

        SimMember(String address, Instant checkPassesAt) {
            this.address = address;
            this.checkPassesAt = checkPassesAt;
        }

        boolean healthy() {
            return healthCheckFile && !Instant.now().isBefore(checkPassesAt);
        }

        synchronized int sessions() {
            Instant now = Instant.now();
            sessionsEndAt.removeIf(end -> !end.isAfter(now));
            return sessionsEndAt.size();
        }
    }

    private final Duration healthCheckDelay;
    private final Map<String, Map<String, SimMember>> backends = new ConcurrentHashMap<>();
    /** Where members and sessions are kept; none in a unit test, which keeps them in memory only. */
    private final Tx tx;

    private int next;

    @Inject
    public SimLoadBalancer(@ConfigProperty(name = "baton.lb.sim.health-check-delay") Duration healthCheckDelay, Tx tx) {
        this.healthCheckDelay = healthCheckDelay;
        this.tx = tx;
    }

    /** A balancer in memory alone, for unit tests. */
    public SimLoadBalancer(Duration healthCheckDelay) {
        this(healthCheckDelay, null);
    }

    /**
     * A deployment's balancer as lb-service's database has it now: read again for every operation, so that each
     * replica of lb-service sees what the others did, and a restarted one what it did before (as HAProxy's runtime
     * state would be, one balancer whoever asks).
     */
    private Map<String, SimMember> reload(String deployment) {
        List<Object[]> members = tx.run(s -> s.createNativeQuery(
                        "select server, address, state, health_check_file, check_passes_at from sim_member"
                                + " where deployment = :d order by seq",
                        Object[].class)
                .setParameter("d", deployment)
                .getResultList());
        List<Object[]> sessions = tx.run(s -> s.createNativeQuery(
                        "select server, ends_at from sim_session where deployment = :d and ends_at > now()",
                        Object[].class)
                .setParameter("d", deployment)
                .getResultList());
        Map<String, SimMember> backend = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        for (Object[] r : members) {
            SimMember m = new SimMember((String) r[1], instant(r[4]));
            m.state = State.valueOf((String) r[2]);
            m.healthCheckFile = (Boolean) r[3];
            backend.put((String) r[0], m);
        }
        for (Object[] r : sessions) {
            SimMember m = backend.get((String) r[0]);
            if (m != null) {
                m.sessionsEndAt.add(instant(r[1]));
            }
        }
        return backend;
    }

    /** Writes a deployment's balancer as it is now: its members, in order, and their open sessions. */
    private void save(String deployment) {
        if (tx == null) {
            return;
        }
        List<Object[]> members = new ArrayList<>();
        List<Object[]> sessions = new ArrayList<>();
        // the balancer the calling operation read and changed (operations hold this object's lock throughout)
        Map<String, SimMember> backend = backends.get(deployment);
        synchronized (backend) {
            backend.forEach((server, m) -> {
                members.add(new Object[] {server, m.address, m.state.name(), m.healthCheckFile, m.checkPassesAt});
                synchronized (m) {
                    m.sessionsEndAt.forEach(end -> sessions.add(new Object[] {server, end}));
                }
            });
        }
        tx.run(s -> s.createNativeQuery("delete from sim_member where deployment = :d")
                .setParameter("d", deployment)
                .executeUpdate()
                .chain(() -> s.createNativeQuery("delete from sim_session where deployment = :d")
                        .setParameter("d", deployment)
                        .executeUpdate())
                .chain(() -> insert(
                        s,
                        "insert into sim_member (deployment, server, address, state, health_check_file,"
                                + " check_passes_at) values ",
                        deployment,
                        members))
                .chain(() -> insert(
                        s, "insert into sim_session (deployment, server, ends_at) values ", deployment, sessions)));
    }

    private static Uni<Void> insert(Mutiny.Session s, String sql, String deployment, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int width = rows.get(0).length + 1;
        String values = sql + Rows.placeholders(rows.size(), width);
        var insert = s.createNativeQuery(values);
        for (int i = 0; i < rows.size(); i++) {
            insert.setParameter(i * width + 1, deployment);
            for (int j = 1; j < width; j++) {
                insert.setParameter(i * width + j + 1, rows.get(i)[j - 1]);
            }
        }
        return insert.executeUpdate().replaceWithVoid();
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.time.LocalDateTime l) {
            return l.toInstant(java.time.ZoneOffset.UTC);
        }
        throw new IllegalStateException("not a time: " + value);
    }

    private Map<String, SimMember> backend(String deployment) {
        if (tx != null) {
            Map<String, SimMember> fresh = reload(deployment);
            backends.put(deployment, fresh);
            return fresh;
        }
        return backends.computeIfAbsent(deployment, d -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()));
    }

    private SimMember member(String deployment, String server) {
        SimMember m = backend(deployment).get(server);
        if (m == null) {
            throw new IllegalArgumentException(server + " is not a member of the balancer of " + deployment);
        }
        return m;
    }

    /** A server that already takes traffic, as registered servers do. */
    public synchronized void addReady(String deployment, String server, String address) {
        SimMember m = new SimMember(address, Instant.now());
        m.state = State.READY;
        backend(deployment).put(server, m);
        save(deployment);
    }

    @Override
    public synchronized void ensureServing(String deployment, String server, String address) {
        if (!backend(deployment).containsKey(server)) {
            addReady(deployment, server, address);
        }
    }

    @Override
    public synchronized void add(String deployment, String server, String address) {
        if (backend(deployment)
                        .putIfAbsent(
                                server, new SimMember(address, Instant.now().plus(healthCheckDelay)))
                == null) {
            save(deployment);
        }
    }

    @Override
    public synchronized boolean healthy(String deployment, String server) {
        return member(deployment, server).healthy();
    }

    @Override
    public synchronized void setState(String deployment, String server, State state) {
        member(deployment, server).state = state;
        save(deployment);
    }

    @Override
    public synchronized void setHealthCheckFile(String deployment, String server, boolean present) {
        member(deployment, server).healthCheckFile = present;
        save(deployment);
    }

    @Override
    public synchronized int currentSessions(String deployment, String server) {
        return member(deployment, server).sessions();
    }

    @Override
    public synchronized void remove(String deployment, String server) {
        SimMember m = member(deployment, server);
        if (m.state != State.MAINT) {
            throw new IllegalStateException(server + " is " + m.state + "; put it in MAINT before removing it");
        }
        backend(deployment).remove(server);
        save(deployment);
    }

    @Override
    public synchronized List<Member> members(String deployment) {
        List<Member> members = new ArrayList<>();
        backend(deployment)
                .forEach((name, m) -> members.add(new Member(name, m.address, m.state, m.healthy(), m.sessions())));
        return members;
    }

    @Override
    public int request(String deployment, String path) {
        return open(deployment, Duration.ZERO).isPresent() ? 200 : 503;
    }

    /** A client opens a session that lasts {@code length}; returns the server that took it, none when all refuse. */
    public synchronized Optional<String> open(String deployment, Duration length) {
        List<Map.Entry<String, SimMember>> serving = new ArrayList<>();
        Map<String, SimMember> backend = backend(deployment);
        synchronized (backend) {
            for (var e : backend.entrySet()) {
                if (e.getValue().state == State.READY && e.getValue().healthy()) {
                    serving.add(e);
                }
            }
        }
        if (serving.isEmpty()) {
            return Optional.empty();
        }
        var chosen = serving.get(Math.floorMod(next++, serving.size()));
        if (!length.isZero()) {
            synchronized (chosen.getValue()) {
                chosen.getValue().sessionsEndAt.add(Instant.now().plus(length));
            }
            save(deployment);
        }
        return Optional.of(chosen.getKey());
    }
}
