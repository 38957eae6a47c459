package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PgBouncer in transaction pooling mode, driven through its admin console. PAUSE waits for the transactions in
 * flight to end and then holds new ones; RESUME lets them go to wherever the configuration points after RELOAD.
 */
public final class PgBouncer {

    public static final int PORT = 6432;

    private final WritePath path;

    PgBouncer(WritePath path) {
        this.path = path;
    }

    public void pause() throws IOException {
        command("PAUSE");
    }

    public void resume() throws IOException {
        command("RESUME");
    }

    void reload() throws IOException {
        command("RELOAD");
    }

    private void command(String command) throws IOException {
        try (AdminConsole console = AdminConsole.open(path.host(), path.port(), adminPassword())) {
            console.run(command);
        } catch (AdminConsole.ConsoleError e) {
            // repeating a PAUSE or RESUME after a restart of the caller is not an error
            if (!(e.getMessage().contains("already suspended/paused")
                    || e.getMessage().contains("not paused"))) {
                throw e;
            }
        }
    }

    void writeConfig(String master) throws IOException {
        String[] hp = ConfigValues.address("master", master);
        Path dir = path.home();
        String ini = "[databases]\n"
                + "* = host=" + hp[0] + " port=" + hp[1] + "\n\n"
                + "[pgbouncer]\n"
                + "listen_addr = " + ConfigValues.host("write path host", path.host()) + "\n"
                + "listen_port = " + ConfigValues.port("write path port", path.port()) + "\n"
                + "unix_socket_dir =\n"
                + "auth_type = scram-sha-256\n"
                + "auth_file = " + dir.resolve("users.txt") + "\n"
                + "admin_users = postgres\n"
                + "pool_mode = transaction\n"
                + "ignore_startup_parameters = extra_float_digits\n"
                + "max_client_conn = 500\n"
                + "default_pool_size = 20\n"
                + "server_reset_query =\n"
                + "pidfile = " + pidFile() + "\n"
                + "logfile = " + dir.resolve("pgbouncer.log") + "\n";
        host().write(dir.resolve("pgbouncer.ini"), ini);
    }

    /**
     * The auth file: each login with the SCRAM verifier of its password, the same the server stores, so that
     * PgBouncer logs in to the server with the keys of the client's own exchange. Only PgBouncer's user may read it.
     * Written when the write path is made; a re-point (inside a switchover's fence) leaves it as it is.
     */
    void writeUsers() throws IOException {
        Secrets.Credentials credentials = path.credentials();
        String users = "\"postgres\" \"" + Secrets.scramVerifier(credentials.adminPassword()) + "\"\n" + "\""
                + PostgresServers.APP_USER + "\" \"" + Secrets.scramVerifier(credentials.appPassword()) + "\"\n";
        Path file = path.home().resolve("users.txt");
        if (!host().exists(file) || !host().read(file).equals(users)) {
            host().writeOwnerOnly(file, users);
        }
        host().chown(file, path.fleet().settings().postgresUser());
    }

    private String adminPassword() throws IOException {
        return path.credentials().adminPassword();
    }

    void start() throws IOException {
        if (running()) {
            return;
        }
        host().run(
                        path.fleet().settings().postgresUser(),
                        30,
                        "pgbouncer",
                        "-d",
                        path.home().resolve("pgbouncer.ini").toString());
        Os.await(
                Wait.forThe("PgBouncer to open its console on " + path.address(), Duration.ofSeconds(10))
                        .every(Duration.ofMillis(50))
                        .ignoring(IOException.class),
                "see " + path.home().resolve("pgbouncer.log"),
                () -> {
                    try (AdminConsole console = AdminConsole.open(path.host(), path.port(), adminPassword())) {
                        return true;
                    }
                });
    }

    public boolean running() {
        return host().running(pidFile());
    }

    void stop() throws IOException {
        Long pid = host().pid(pidFile());
        if (pid != null) {
            host().signal(pid, "TERM");
            host().awaitGone(pid, Duration.ofSeconds(10), "see " + path.home().resolve("pgbouncer.log"));
        }
    }

    private Path pidFile() {
        return path.home().resolve("pgbouncer.pid");
    }

    /** The machine PgBouncer runs on. */
    private Host host() {
        return path.fleet().hostOf(path);
    }
}
