package io.baton.launcher.load;

import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.api.RegisterDeployment;
import io.baton.contracts.api.RegisterDeployment.NewServer;
import io.baton.contracts.fleet.Engine;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import java.util.List;
import java.util.Map;

/** A database pair for the local cloud: the body of POST /deployments that makes db-1 (master) and db-2 (slave). */
public final class LocalDeployment {

    private LocalDeployment() {}

    public static final String DATABASE = "shop";

    public static String json(String name, String engine) {
        return Json.write(of(name, engine));
    }

    static RegisterDeployment of(String name, String engine) {
        Engine e = Engine.of(engine);
        return new RegisterDeployment(
                name,
                List.of(server("db-1", Role.MASTER, e, "a"), server("db-2", Role.SLAVE, e, "b")),
                List.of(new FirewallRule("db", e.port(), "app")),
                Map.of(),
                List.of());
    }

    private static NewServer server(String name, Role role, Engine engine, String zone) {
        String template = engine == Engine.MARIADB ? "MariaDB Database Manager" : "PostgreSQL Database Manager";
        ServerConfig config = new ServerConfig(
                template,
                14,
                "local",
                "loopback",
                "loopback-" + zone,
                "medium",
                List.of("db"),
                "ops",
                "debian-12",
                engine.id());
        return new NewServer(name, role, config, null, null, Map.of("DB_NAME", DATABASE), List.of("replication lag"));
    }
}
