package io.baton.lb.haproxy;

import io.baton.common.Wait;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.local.ConfigValues;
import io.baton.local.Engines;
import io.baton.local.Haproxy;
import io.baton.local.Instance;
import io.baton.local.LocalFleet;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A deployment's HAProxy, driven through its runtime API (the admin-level stats socket): {@code add server} (it
 * starts in maintenance), {@code enable health}, {@code set server ... state}, {@code del server}, and
 * {@code show stat} for health and current sessions ({@code scur}). Every change of membership or state is also
 * written to the configuration file, so that a reload or restart of HAProxy keeps it.
 */
@ApplicationScoped
@LookupIfProperty(name = "baton.lb.driver", stringValue = "haproxy")
public class HaproxyRuntimeApi implements LoadBalancer {

    private static final Logger LOG = Logger.getLogger(HaproxyRuntimeApi.class);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalFleet fleet;
    private final Map<String, Instance> balancers = new java.util.concurrent.ConcurrentHashMap<>();

    public HaproxyRuntimeApi(LocalFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public synchronized void ensureServing(String deployment, String server, String address) {
        if (row(deployment, server) != null) {
            return;
        }
        add(deployment, server, address);
        // ready only once its check passes: a server set ready before its first check gets traffic
        await(server + "'s health check to pass", Duration.ofSeconds(30), () -> healthy(deployment, server));
        setState(deployment, server, State.READY);
    }

    @Override
    public synchronized void add(String deployment, String server, String address) {
        if (row(deployment, server) != null) {
            return;
        }
        ConfigValues.address("address of " + server, address);
        expect(deployment, "add server " + backend(server) + " " + address + " " + Haproxy.CHECK, "New server");
        // a server added at run time does not check its health until told to; until then it stays in maintenance
        expect(deployment, "enable health " + backend(server), "");
        save(deployment);
    }

    @Override
    public boolean healthy(String deployment, String server) {
        Map<String, String> row = row(deployment, server);
        if (row == null) {
            throw new IllegalArgumentException(server + " is not a member of the balancer of " + deployment);
        }
        return passing(row);
    }

    /** Whether the last health check passed (L7OK, or L6OK / L4OK for checks below HTTP). */
    private static boolean passing(Map<String, String> row) {
        String check = row.getOrDefault("check_status", "");
        return check.startsWith("L7OK") || check.startsWith("L6OK") || check.startsWith("L4OK");
    }

    @Override
    public synchronized void setState(String deployment, String server, State state) {
        expect(
                deployment,
                "set server " + backend(server) + " state " + state.name().toLowerCase(Locale.ROOT),
                "");
        save(deployment);
    }

    @Override
    public void setHealthCheckFile(String deployment, String server, boolean present) {
        Instance app = fleet.named(deployment, server)
                .orElseThrow(() -> new IllegalArgumentException(
                        server + " is not an application server of " + deployment + " in the local cloud"));
        try {
            fleet.appServers().healthCheckFile(app, present);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int currentSessions(String deployment, String server) {
        Map<String, String> row = row(deployment, server);
        return row == null ? 0 : Integer.parseInt(row.getOrDefault("scur", "0"));
    }

    /** Removes a server in maintenance once its last connection has closed (HAProxy refuses before). */
    @Override
    public synchronized void remove(String deployment, String server) {
        if (row(deployment, server) == null) {
            return;
        }
        String what = "HAProxy to let go of " + server + " and delete it";
        try {
            await(what, Duration.ofSeconds(10), () -> deleted(deployment, server));
        } catch (IllegalStateException stillConnected) {
            // idle keep-alive connections the server holds; nothing is in flight on a server in maintenance
            command(deployment, "shutdown sessions server " + backend(server));
            await(what, Duration.ofSeconds(20), () -> deleted(deployment, server));
        }
        save(deployment);
    }

    private boolean deleted(String deployment, String server) {
        String answer = command(deployment, "del server " + backend(server));
        return answer.contains("Server deleted") || answer.contains("No such server");
    }

    /** Waits for a change HAProxy makes on its own time; fails, naming it, when it does not come in time. */
    private static void await(String what, Duration timeout, Wait.Condition<RuntimeException> condition) {
        try {
            Wait.forThe(what, timeout).every(Duration.ofMillis(50)).until(condition);
        } catch (Wait.Unfinished e) {
            throw new IllegalStateException(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what);
        }
    }

    @Override
    public List<Member> members(String deployment) {
        List<Member> members = new ArrayList<>();
        for (Map<String, String> row : rows(deployment)) {
            String status = row.getOrDefault("status", "");
            State state =
                    status.startsWith("MAINT") ? State.MAINT : status.startsWith("DRAIN") ? State.DRAIN : State.READY;
            members.add(new Member(
                    row.get("svname"),
                    row.getOrDefault("addr", ""),
                    state,
                    passing(row),
                    Integer.parseInt(row.getOrDefault("scur", "0"))));
        }
        return members;
    }

    @Override
    public int request(String deployment, String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://" + balancer(deployment).address() + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return 503;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 503;
        }
    }

    /** The membership as it is now, written to the configuration file. */
    private void save(String deployment) {
        List<Haproxy.Server> servers = new ArrayList<>();
        for (Member m : members(deployment)) {
            servers.add(
                    new Haproxy.Server(m.server(), m.address(), m.state() == State.MAINT, m.state() == State.DRAIN));
        }
        try {
            fleet.haproxy().writeConfig(balancer(deployment), servers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> row(String deployment, String server) {
        return rows(deployment).stream()
                .filter(r -> server.equals(r.get("svname")))
                .findFirst()
                .orElse(null);
    }

    /** The backend's servers in {@code show stat}, each a map from column name to value. */
    private List<Map<String, String>> rows(String deployment) {
        String[] lines = command(deployment, "show stat").split("\n");
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.length == 0 || !lines[0].startsWith("# ")) {
            return rows;
        }
        String[] header = lines[0].substring(2).split(",", -1);
        for (int i = 1; i < lines.length; i++) {
            String[] values = lines[i].split(",", -1);
            if (values.length < 2
                    || !values[0].equals(Haproxy.BACKEND)
                    || values[1].equals("BACKEND")
                    || values[1].equals("FRONTEND")) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < Math.min(header.length, values.length); c++) {
                row.put(header[c], values[c]);
            }
            rows.add(row);
        }
        return rows;
    }

    private void expect(String deployment, String command, String success) {
        String answer = command(deployment, command).strip();
        boolean ok = success.isEmpty() ? answer.isEmpty() : answer.contains(success);
        if (!ok) {
            throw new IllegalStateException("HAProxy refused '" + command + "': " + answer);
        }
        LOG.debugf("%s: %s", deployment, command);
    }

    private String command(String deployment, String command) {
        try {
            return fleet.haproxy().command(balancer(deployment), command);
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy of " + deployment + " does not answer on its stats socket", e);
        }
    }

    /** The deployment's HAProxy, found in the local cloud once: the drain watcher asks on every poll. */
    private Instance balancer(String deployment) {
        return balancers.computeIfAbsent(deployment, this::findBalancer);
    }

    private Instance findBalancer(String deployment) {
        return fleet.all().stream()
                .filter(i -> deployment.equals(i.deployment()) && Engines.HAPROXY.equals(i.engine()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "deployment " + deployment + " has no HAProxy in the local cloud at " + fleet.root()));
    }

    private static String backend(String server) {
        return Haproxy.BACKEND + "/" + ConfigValues.label("server name", server);
    }
}
