package io.baton.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;

/**
 * The shop: the application server Baton's local cloud launches. Configured through the environment, as a server
 * gets its deployment's inputs:
 *
 * <ul>
 *   <li>{@code REPOSITORY_URL}, {@code REPOSITORY_REF}: the code it runs, which every page names;
 *   <li>{@code SERVER_NAME}, {@code LISTEN_HOST}, {@code LISTEN_PORT}: who and where it is;
 *   <li>{@code HEALTH_CHECK_FILE}: {@code /health} answers 200 while this file exists and 503 when it does not, so
 *       removing it drains the server (the balancer's check fails, sessions in progress go on);
 *   <li>{@code DB_URL}, {@code DB_USER}, {@code DB_PASSWORD_FILE}: JDBC URL of the deployment's write path, the
 *       login and a file holding its password; {@code /db} writes a row there and reads a count.
 * </ul>
 *
 * {@code /slow?ms=N} answers after N milliseconds (at most a minute): a long request, to see that a drain waits
 * for it.
 */
public final class App {

    private App() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        String version = env.getOrDefault("REPOSITORY_REF", "unknown");
        String repository = env.getOrDefault("REPOSITORY_URL", "");
        String name = env.getOrDefault("SERVER_NAME", "app");
        Path healthFile = Path.of(env.getOrDefault("HEALTH_CHECK_FILE", "health-check"));
        String db = env.get("DB_URL");
        Properties login = new Properties();
        if (env.get("DB_USER") != null) {
            login.setProperty("user", env.get("DB_USER"));
        }
        if (env.get("DB_PASSWORD_FILE") != null) {
            login.setProperty(
                    "password",
                    Files.readString(Path.of(env.get("DB_PASSWORD_FILE"))).strip());
        }
        HttpServer server = HttpServer.create(
                new InetSocketAddress(
                        env.getOrDefault("LISTEN_HOST", "127.0.0.1"),
                        Integer.parseInt(env.getOrDefault("LISTEN_PORT", "8080"))),
                256);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", x -> {
            if (!x.getRequestURI().getPath().equals("/")) {
                send(x, 404, "no such page\n", version, name);
                return;
            }
            send(x, 200, "shop " + version + " (" + repository + ") on " + name + "\n", version, name);
        });
        server.createContext("/health", x -> {
            boolean up = Files.exists(healthFile);
            send(x, up ? 200 : 503, up ? "ok\n" : "draining: no health-check file\n", version, name);
        });
        server.createContext("/slow", x -> {
            long ms = Math.min(60_000, Math.max(0, parameter(x, "ms", 1_000)));
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(x, 200, "slow " + ms + " ms, shop " + version + " on " + name + "\n", version, name);
        });
        server.createContext("/db", x -> {
            if (db == null) {
                send(x, 503, "no database configured (DB_URL)\n", version, name);
                return;
            }
            try (Connection c = DriverManager.getConnection(db, login);
                    Statement s = c.createStatement();
                    PreparedStatement insert =
                            c.prepareStatement("INSERT INTO visits VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                s.execute("CREATE TABLE IF NOT EXISTS visits (server TEXT, version TEXT, at TIMESTAMP)");
                insert.setString(1, name);
                insert.setString(2, version);
                insert.executeUpdate();
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM visits")) {
                    r.next();
                    send(x, 200, "visits " + r.getLong(1) + "\n", version, name);
                }
            } catch (SQLException e) {
                send(x, 503, "database: " + e.getMessage() + "\n", version, name);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(5)));
        server.start();
        System.out.println("shop " + version + " on " + name + " listening on " + server.getAddress());
    }

    private static long parameter(HttpExchange x, String key, long fallback) {
        String query = x.getRequestURI().getQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv.length == 2 && kv[0].equals(key)) {
                    try {
                        return Long.parseLong(kv[1]);
                    } catch (NumberFormatException e) {
                        return fallback;
                    }
                }
            }
        }
        return fallback;
    }

    private static void send(HttpExchange x, int status, String body, String version, String name) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        x.getResponseHeaders().set("X-Version", version);
        x.getResponseHeaders().set("X-Server", name);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }
}
