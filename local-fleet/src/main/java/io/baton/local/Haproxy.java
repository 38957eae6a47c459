package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HAProxy load balancers of the local cloud: one process per balancer, a frontend on its own loopback address, one
 * backend {@code app} of the deployment's application servers, and the runtime API on an admin-level stats socket.
 */
public final class Haproxy {

    public static final String BACKEND = "app";

    /** A backend server line as the configuration file keeps it. */
    public record Server(String name, String address, boolean disabled, boolean draining) {}

    private final LocalFleet fleet;

    Haproxy(LocalFleet fleet) {
        this.fleet = fleet;
    }

    /** Starts the balancer with these servers in its backend, or finds it running. */
    public void start(Instance balancer, List<Server> servers) throws IOException {
        if (running(balancer)) {
            return;
        }
        if (!host(balancer).exists(config(balancer))) {
            writeConfig(balancer, servers);
        }
        host(balancer)
                .run(
                        null,
                        30,
                        "haproxy",
                        "-D",
                        "-f",
                        config(balancer).toString(),
                        "-p",
                        pidFile(balancer).toString());
        Os.await(
                Wait.forThe("HAProxy to open its runtime API at " + socket(balancer), Duration.ofSeconds(10))
                        .every(Duration.ofMillis(20))
                        .ignoring(IOException.class),
                "see " + config(balancer),
                () -> command(balancer, "show info") != null);
    }

    /** Sends one command to the runtime API and returns its answer. */
    public String command(Instance balancer, String command) throws IOException {
        return host(balancer).converse(socket(balancer), ConfigValues.runtimeCommand(command) + "\n");
    }

    /**
     * Rewrites the backend's servers in the configuration file, so that a reload or restart of HAProxy keeps the
     * membership the runtime API gave it: a server in maintenance is written {@code disabled}, a draining one with
     * weight 0.
     */
    public void writeConfig(Instance balancer, List<Server> servers) throws IOException {
        if (socket(balancer).toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("the runtime API socket " + socket(balancer) + " is longer than the "
                    + MAX_SOCKET_PATH + " characters HAProxy takes: choose a shorter directory for the servers"
                    + " (baton.local.root, or the machine's directory in baton.local.machines)");
        }
        StringBuilder cfg = new StringBuilder();
        cfg.append("# written by Baton's local cloud: runtime changes to the backend are saved here\n")
                .append("global\n")
                .append("    stats socket ")
                .append(socket(balancer))
                .append(" mode 600 level admin\n")
                .append("    stats timeout 2m\n")
                .append("    log stderr format short local0 notice\n")
                .append("\ndefaults\n")
                .append("    mode http\n")
                .append("    timeout connect 2s\n")
                .append("    timeout client 90s\n")
                .append("    timeout server 90s\n")
                .append("    retries 3\n")
                .append("    option redispatch\n")
                .append("\nfrontend www\n")
                .append("    bind ")
                .append(balancer.address())
                .append('\n')
                .append("    default_backend ")
                .append(BACKEND)
                .append('\n')
                .append("\nbackend ")
                .append(BACKEND)
                .append('\n')
                .append("    balance roundrobin\n")
                .append("    option httpchk GET /health\n")
                .append("    http-check expect status 200\n");
        for (Server s : servers) {
            ConfigValues.address("address of " + s.name(), s.address());
            cfg.append("    server ")
                    .append(ConfigValues.label("server name", s.name()))
                    .append(' ')
                    .append(s.address())
                    .append(' ')
                    .append(CHECK)
                    .append(s.disabled() ? " disabled" : "")
                    .append(s.draining() ? " weight 0" : "")
                    .append('\n');
        }
        host(balancer).write(config(balancer), cfg.toString());
    }

    /** The servers the configuration file lists. */
    public List<Server> configured(Instance balancer) throws IOException {
        List<Server> servers = new ArrayList<>();
        for (String line : host(balancer).read(config(balancer)).lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 3 && f[0].equals("server")) {
                servers.add(new Server(f[1], f[2], line.contains(" disabled"), line.contains(" weight 0")));
            }
        }
        return servers;
    }

    /** The longest control socket path HAProxy 2.6 takes (a Unix socket address, less its own margin). */
    static final int MAX_SOCKET_PATH = 97;

    /** The health check Baton gives every server, in the file and when it adds one at run time. */
    public static final String CHECK = "check inter 200ms fall 2 rise 1";

    public Path config(Instance balancer) {
        return balancer.home().resolve("haproxy.cfg");
    }

    public boolean running(Instance balancer) {
        return host(balancer).running(pidFile(balancer));
    }

    public void destroy(Instance balancer) throws IOException {
        Long pid = host(balancer).pid(pidFile(balancer));
        if (pid != null) {
            host(balancer).signal(pid, "TERM");
            host(balancer).awaitGone(pid, Duration.ofSeconds(10), "see " + config(balancer));
        }
    }

    private static Path socket(Instance balancer) {
        return balancer.home().resolve("admin.sock");
    }

    private static Path pidFile(Instance balancer) {
        return balancer.home().resolve("haproxy.pid");
    }

    /** The machine a server runs on. */
    private Host host(Instance balancer) {
        return fleet.hostOf(balancer);
    }
}
