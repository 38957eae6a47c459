package io.baton.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OpenSSH server (Debian's openssh-server) on a free loopback port, with its own host key, one authorized client
 * key and a known-hosts file naming its key, all under a directory of its own: the host the SSH tests sign in to.
 * It runs as this process's user, root, so that a login can run the servers' tools as their own users.
 */
public final class OpenSshServer implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");

    /** sshd listens on at most 16 addresses (its MAX_LISTEN_SOCKS): one process per group of them. */
    private static final int ADDRESSES_PER_PROCESS = 16;

    private final List<Process> processes;
    private final Path dir;
    private final int port;
    private final List<String> addresses;

    private OpenSshServer(List<Process> processes, Path dir, int port, List<String> addresses) {
        this.processes = List.copyOf(processes);
        this.dir = dir;
        this.port = port;
        this.addresses = List.copyOf(addresses);
    }

    /**
     * Whether sshd is installed and this process may run it (as root); where BATON_REQUIRE_REAL is set (CI), a
     * missing sshd is an error rather than a reason to skip.
     */
    public static boolean available() {
        boolean installed = Files.isExecutable(SSHD);
        if (!installed && System.getenv("BATON_REQUIRE_REAL") != null) {
            throw new AssertionError("BATON_REQUIRE_REAL is set but " + SSHD + " (openssh-server) is not installed;"
                    + " bin/install-local-cloud installs it");
        }
        return installed && "root".equals(System.getProperty("user.name"));
    }

    /** What a test that needs it says when it is skipped. */
    public static final String MISSING = "no " + SSHD + " (openssh-server) to run as root; the SSH tests need one";

    public static OpenSshServer start() throws Exception {
        return start(List.of("127.0.0.1"));
    }

    /**
     * One sshd listening on each of these loopback addresses, at the same port: to the tests, each address is a
     * machine of its own (the known-hosts file names the key for each).
     */
    public static OpenSshServer start(List<String> addresses) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "baton-sshd-");
        keygen(dir.resolve("host_key"));
        keygen(dir.resolve("client_key"));
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        int port = LoopbackDaemon.freePort();
        String[] hostKey = Files.readString(dir.resolve("host_key.pub")).strip().split("\\s+");
        StringBuilder known = new StringBuilder();
        for (String a : addresses) {
            known.append("[" + a + "]:" + port + " " + hostKey[0] + " " + hostKey[1] + "\n");
        }
        Files.writeString(dir.resolve("known_hosts"), known.toString());
        // sshd's privilege separation needs this directory, which the package's service would make
        Files.createDirectories(Path.of("/run/sshd"));
        List<Process> processes = new java.util.ArrayList<>();
        try {
            for (int from = 0; from < addresses.size(); from += ADDRESSES_PER_PROCESS) {
                List<String> group = addresses.subList(from, Math.min(addresses.size(), from + ADDRESSES_PER_PROCESS));
                String n = from == 0 ? "" : "-" + from / ADDRESSES_PER_PROCESS;
                Path config = dir.resolve("sshd_config" + n);
                Files.writeString(config, config(dir, port, group, dir.resolve("sshd" + n + ".pid")));
                processes.add(LoopbackDaemon.start(
                        "sshd",
                        List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()),
                        dir.resolve("sshd" + n + ".log"),
                        group.get(0),
                        port,
                        Duration.ofSeconds(20)));
            }
        } catch (Exception e) {
            processes.forEach(Process::destroyForcibly);
            throw e;
        }
        return new OpenSshServer(processes, dir, port, addresses);
    }

    private static String config(Path dir, int port, List<String> addresses, Path pidFile) {
        return String.join(
                "\n",
                "Port " + port,
                addresses.stream().map(a -> "ListenAddress " + a).collect(java.util.stream.Collectors.joining("\n")),
                "HostKey " + dir.resolve("host_key"),
                "PidFile " + pidFile,
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                // bash, the login shell, reads ~/.bashrc for a command sshd runs when SHLVL is below 2; a
                // machine's .bashrc (pyenv's init, say) can add half a second to every command
                "SetEnv SHLVL=1",
                "StrictModes no",
                "MaxSessions 20",
                "MaxStartups 50",
                "LogLevel VERBOSE",
                "");
    }

    private static void keygen(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "ssh-keygen",
                        "-q",
                        "-t",
                        "ecdsa",
                        "-b",
                        "256",
                        "-N",
                        "",
                        "-C",
                        "baton-test",
                        "-f",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + out);
        }
    }

    /** {@code root@127.0.0.1:port}: the first address it listens on. */
    public String target() {
        return target(addresses.get(0));
    }

    /** {@code root@address:port}. */
    public String target(String address) {
        return "root@" + address + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The private key sshd authorizes. */
    public Path clientKey() {
        return dir.resolve("client_key");
    }

    /** A known-hosts file with sshd's host key. */
    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    public Path dir() {
        return dir;
    }

    /** sshd's log: who signed in, and what was refused. */
    public String log() throws IOException {
        StringBuilder all = new StringBuilder(Files.readString(dir.resolve("sshd.log")));
        for (int n = 1; n < processes.size(); n++) {
            all.append(Files.readString(dir.resolve("sshd-" + n + ".log")));
        }
        return all.toString();
    }

    @Override
    public void close() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        try (var all = Files.walk(dir)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
