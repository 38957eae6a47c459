package io.baton.launcher.load;

import io.baton.contracts.ApplicationUpgrade.DrainMode;
import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.Json;
import io.baton.contracts.Migration;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.api.CreateUpgrade;
import io.baton.contracts.api.RegisterDeployment;
import io.baton.contracts.api.RegisterDeployment.NewArray;
import io.baton.contracts.api.RegisterDeployment.NewServer;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole site for the local cloud: the database pair of {@link LocalDeployment} (PostgreSQL), two application
 * servers running the demo application at version v1.4.2, and an HAProxy in front of them.
 */
public final class LocalSite {

    private static final String REPOSITORY = "https://git.example.com/shop.git";

    private LocalSite() {}

    public static String json(String name) {
        List<NewServer> servers =
                new ArrayList<>(LocalDeployment.of(name, "postgresql").servers());
        servers.add(app("app-1", "a"));
        servers.add(app("app-2", "b"));
        servers.add(new NewServer(
                "lb-1", Role.LB, config("Load Balancer with HAProxy", 5, "a", "lb"), null, null, null, null));
        return Json.write(new RegisterDeployment(
                name,
                servers,
                List.of(
                        new FirewallRule("db", 5432, "app"),
                        new FirewallRule("app", 8080, "lb"),
                        new FirewallRule("lb", 8080, "0.0.0.0/0")),
                Map.of("REPOSITORY_URL", REPOSITORY, "REPOSITORY_REF", "v1.4.2"),
                List.of(new NewArray("app-array", "Shop App Server", 7, true))));
    }

    /**
     * The additive migration the site's upgrade runs for real on its master: a table for the new version's order
     * notes, and an index on it.
     */
    public static final Migration ORDER_NOTES = new Migration(
            "2026-12-order-notes",
            "CREATE TABLE order_notes (id bigint PRIMARY KEY, body text, created_at timestamp);"
                    + " CREATE INDEX order_notes_created ON order_notes (created_at)",
            "DROP TABLE IF EXISTS order_notes");

    /**
     * The application upgrade of the site: version v1.5.0 of the code, template revision 8 and one migration, {@link
     * #ORDER_NOTES}.
     */
    public static String upgrade(String name, String sessionTtl) {
        return upgrade(name, sessionTtl, "DRAIN_STATE");
    }

    /** The same, draining the old servers by {@code drainBy}: DRAIN_STATE or HEALTH_CHECK_FILE. */
    public static String upgrade(String name, String sessionTtl, String drainBy) {
        ServerConfig revision8 = new ServerConfig(null, 8, null, null, null, null, null, null, null, null);
        return Json.write(new CreateUpgrade(
                name,
                UpgradeKind.APPLICATION,
                null,
                new CreateUpgrade.Source(REPOSITORY, "v1.5.0"),
                null,
                revision8,
                List.of(ORDER_NOTES),
                Duration.parse(sessionTtl),
                DrainMode.valueOf(drainBy),
                new SmokeTest("/", 200),
                false));
    }

    private static NewServer app(String name, String zone) {
        return new NewServer(name, Role.APP, config("Shop App Server", 7, zone, "app"), null, null, null, null);
    }

    private static ServerConfig config(String template, int revision, String zone, String group) {
        return new ServerConfig(
                template,
                revision,
                "local",
                "loopback",
                "loopback-" + zone,
                "small",
                List.of(group),
                "ops",
                "debian-12",
                null);
    }
}
