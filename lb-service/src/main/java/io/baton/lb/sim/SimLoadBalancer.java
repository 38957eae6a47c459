package io.baton.lb.sim;

import io.baton.lb.balancer.LoadBalancer;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A balancer in memory that behaves as HAProxy does where an upgrade cares: a new server's health check passes only
 * after a delay and only while its health-check file is there; new sessions go to servers that are READY and
 * healthy, round robin; a draining or unhealthy server keeps its sessions until each one ends.
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
    private int next;

    public SimLoadBalancer(@ConfigProperty(name = "baton.lb.sim.health-check-delay") Duration healthCheckDelay) {
        this.healthCheckDelay = healthCheckDelay;
    }

    private Map<String, SimMember> backend(String deployment) {
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
    public void addReady(String deployment, String server, String address) {
        SimMember m = new SimMember(address, Instant.now());
        m.state = State.READY;
        backend(deployment).put(server, m);
    }

    @Override
    public void ensureServing(String deployment, String server, String address) {
        if (!backend(deployment).containsKey(server)) {
            addReady(deployment, server, address);
        }
    }

    @Override
    public void add(String deployment, String server, String address) {
        backend(deployment)
                .putIfAbsent(server, new SimMember(address, Instant.now().plus(healthCheckDelay)));
    }

    @Override
    public boolean healthy(String deployment, String server) {
        return member(deployment, server).healthy();
    }

    @Override
    public void setState(String deployment, String server, State state) {
        member(deployment, server).state = state;
    }

    @Override
    public void setHealthCheckFile(String deployment, String server, boolean present) {
        member(deployment, server).healthCheckFile = present;
    }

    @Override
    public int currentSessions(String deployment, String server) {
        return member(deployment, server).sessions();
    }

    @Override
    public void remove(String deployment, String server) {
        SimMember m = member(deployment, server);
        if (m.state != State.MAINT) {
            throw new IllegalStateException(server + " is " + m.state + "; put it in MAINT before removing it");
        }
        backend(deployment).remove(server);
    }

    @Override
    public List<Member> members(String deployment) {
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
        synchronized (backend(deployment)) {
            for (var e : backend(deployment).entrySet()) {
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
        }
        return Optional.of(chosen.getKey());
    }
}
