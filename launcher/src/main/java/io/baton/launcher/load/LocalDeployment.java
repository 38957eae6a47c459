package io.baton.launcher.load;

import io.baton.local.Engines;

/** A database pair for the local cloud: the body of POST /deployments that makes db-1 (master) and db-2 (slave). */
public final class LocalDeployment {

    private LocalDeployment() {}

    public static final String DATABASE = "shop";

    public static String json(String name, String engine) {
        String e = Engines.of(engine);
        String template = Engines.MARIADB.equals(e) ? "MariaDB Database Manager" : "PostgreSQL Database Manager";
        return "{\"name\":\"" + name + "\",\"inputs\":{},"
                + "\"firewallRules\":[{\"securityGroup\":\"db\",\"port\":" + Engines.port(e)
                + ",\"source\":\"app\"}],\"servers\":[" + server("db-1", "MASTER", template, e, "a") + ","
                + server("db-2", "SLAVE", template, e, "b") + "]}";
    }

    private static String server(String name, String role, String template, String engine, String zone) {
        return "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"inputs\":{\"DB_NAME\":\"" + DATABASE
                + "\"},\"alerts\":[\"replication lag\"],\"config\":{\"serverTemplate\":\"" + template
                + "\",\"templateRevision\":14,\"cloud\":\"local\",\"region\":\"loopback\",\"zone\":\"loopback-"
                + zone + "\",\"instanceSize\":\"medium\",\"securityGroups\":[\"db\"],\"sshKey\":\"ops\","
                + "\"image\":\"debian-12\",\"engine\":\"" + engine + "\"}}";
    }
}
