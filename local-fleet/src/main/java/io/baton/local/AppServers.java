package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Application servers of the local cloud: the demo application ({@code io.baton.demo.App}) as a process on its own
 * loopback address, configured with its deployment's inputs. Its health check answers 200 while the file
 * {@code health-check} in its directory exists.
 */
public final class AppServers {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalFleet fleet;

    AppServers(LocalFleet fleet) {
        this.fleet = fleet;
    }

    /**
     * Starts the server with these inputs (REPOSITORY_URL, REPOSITORY_REF, ...) and, when given, the deployment's
     * write path: its JDBC URL, the application's login and a file of its password that only this user can read
     * (DB_URL, DB_USER, DB_PASSWORD_FILE). A running server is left as it is.
     */
    public void start(Instance server, Map<String, String> inputs, WritePath database) throws IOException {
        if (running(server)) {
            return;
        }
        String classpath = fleet.settings().appClasspath();
        if (classpath == null || classpath.isBlank()) {
            throw new IOException("the demo application's class path is not configured (baton.local.app-classpath);"
                    + " build it with ./mvnw -pl demo-app package");
        }
        Map<String, String> env = new LinkedHashMap<>(inputs);
        env.put("SERVER_NAME", server.name());
        env.put("LISTEN_HOST", server.host());
        env.put("LISTEN_PORT", Integer.toString(server.port()));
        env.put("HEALTH_CHECK_FILE", healthCheckFile(server).toString());
        if (database != null) {
            Secrets.Login login = database.appLogin();
            Path passwordFile = server.home().resolve("db-password");
            host(server).writeOwnerOnly(passwordFile, login.password());
            env.put("DB_URL", database.jdbcUrl());
            env.put("DB_USER", login.user());
            env.put("DB_PASSWORD_FILE", passwordFile.toString());
        }
        host(server).write(healthCheckFile(server), "ok\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long pid = host(server)
                .spawn(
                        server.log(),
                        env,
                        java,
                        "-Xmx96m",
                        "-XX:+UseSerialGC",
                        "-Dsun.net.httpserver.nodelay=true",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        classpath,
                        "io.baton.demo.App");
        host(server).write(pidFile(server), Long.toString(pid));
    }

    /** Returns once the server answers its health check; throws when it does not within {@code timeout}. */
    public void awaitUp(Instance server, Duration timeout) throws IOException, InterruptedException {
        Os.await(
                Wait.forThe(server.name() + " to answer its health check at " + server.address(), timeout)
                        .every(Duration.ofMillis(50))
                        .stopIf(() -> !running(server), "it exited")
                        .ignoring(IOException.class),
                "see " + server.log(),
                () -> get(server, "/health").statusCode() == 200);
    }

    /**
     * The runbook's test of a new server: its health check passes, it reaches the database, and its page answers
     * with the version it was given, again and again (which also gets its code compiled before users reach it).
     */
    public List<String> test(Instance server, String version) throws InterruptedException {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < PAGE_CHECKS && failed.isEmpty(); i++) {
            try {
                HttpResponse<String> r = get(server, "/");
                String answered = r.headers().firstValue("X-Version").orElse("none");
                if (r.statusCode() != 200 || (version != null && !version.equals(answered))) {
                    failed.add("/ answered " + r.statusCode() + " with version " + answered + ", not " + version);
                }
            } catch (IOException e) {
                failed.add("/: " + e.getMessage());
            }
        }
        for (String path : List.of("/health", "/db")) {
            try {
                HttpResponse<String> r = get(server, path);
                if (r.statusCode() != 200) {
                    failed.add(path + " answered " + r.statusCode() + ": "
                            + r.body().strip());
                }
            } catch (IOException e) {
                failed.add(path + ": " + e.getMessage());
            }
        }
        return failed;
    }

    private static final int PAGE_CHECKS = 300;

    private static Path pidFile(Instance server) {
        return server.home().resolve("app.pid");
    }

    public Path healthCheckFile(Instance server) {
        return server.home().resolve("health-check");
    }

    /** Puts the health-check file back or removes it: without it the health check fails and the server drains. */
    public void healthCheckFile(Instance server, boolean present) throws IOException {
        if (present) {
            host(server).write(healthCheckFile(server), "ok\n");
        } else {
            host(server).delete(healthCheckFile(server));
        }
    }

    public boolean running(Instance server) {
        return host(server).running(pidFile(server));
    }

    /** Stops the server: in-flight requests get a few seconds to finish. */
    public void destroy(Instance server) throws IOException {
        Long pid = host(server).pid(pidFile(server));
        if (pid == null) {
            return;
        }
        host(server).signal(pid, "TERM");
        try {
            host(server).awaitGone(pid, Duration.ofSeconds(10), "see " + server.log());
        } catch (IOException stillThere) {
            host(server).signal(pid, "KILL");
            host(server).awaitGone(pid, Duration.ofSeconds(10), "see " + server.log());
        }
    }

    private static HttpResponse<String> get(Instance server, String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + server.address() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The machine a server runs on. */
    private Host host(Instance server) {
        return fleet.hostOf(server);
    }
}
