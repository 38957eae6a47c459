package io.baton.launcher.load;

/**
 * A whole site for the local cloud: the database pair of {@link LocalDeployment} (PostgreSQL), two application
 * servers running the demo application at version v1.4.2, and an HAProxy in front of them.
 */
public final class LocalSite {

    private LocalSite() {}

    public static String json(String name) {
        String db = LocalDeployment.json(name, "postgresql");
        String servers = db.substring(db.indexOf("\"servers\":[") + "\"servers\":[".length(), db.lastIndexOf("]}"));
        return "{\"name\":\"" + name + "\","
                + "\"inputs\":{\"REPOSITORY_URL\":\"https://git.example.com/shop.git\",\"REPOSITORY_REF\":\"v1.4.2\"},"
                + "\"firewallRules\":[{\"securityGroup\":\"db\",\"port\":5432,\"source\":\"app\"},"
                + "{\"securityGroup\":\"app\",\"port\":8080,\"source\":\"lb\"},"
                + "{\"securityGroup\":\"lb\",\"port\":8080,\"source\":\"0.0.0.0/0\"}],"
                + "\"arrays\":[{\"name\":\"app-array\",\"serverTemplate\":\"Shop App Server\",\"templateRevision\":7,"
                + "\"enabled\":true}],"
                + "\"servers\":[" + servers + "," + app("app-1", "a") + "," + app("app-2", "b") + ","
                + "{\"name\":\"lb-1\",\"role\":\"LB\",\"config\":{\"serverTemplate\":\"Load Balancer with HAProxy\","
                + "\"templateRevision\":5,\"cloud\":\"local\",\"region\":\"loopback\",\"zone\":\"loopback-a\","
                + "\"instanceSize\":\"small\",\"securityGroups\":[\"lb\"],\"sshKey\":\"ops\",\"image\":\"debian-12\"}}]}";
    }

    /** The application upgrade of the site: version v1.5.0 of the code and template revision 8. */
    public static String upgrade(String name, String sessionTtl) {
        return upgrade(name, sessionTtl, "DRAIN_STATE");
    }

    /** The same, draining the old servers by {@code drainBy}: DRAIN_STATE or HEALTH_CHECK_FILE. */
    public static String upgrade(String name, String sessionTtl, String drainBy) {
        return "{\"deployment\":\"" + name + "\",\"kind\":\"application\",\"drainBy\":\"" + drainBy + "\","
                + "\"source\":{\"repository\":\"https://git.example.com/shop.git\",\"ref\":\"v1.5.0\"},"
                + "\"serverChange\":{\"templateRevision\":8},\"sessionTtl\":\"" + sessionTtl + "\","
                + "\"smokeTest\":{\"path\":\"/\",\"expectedStatus\":200}}";
    }

    private static String app(String name, String zone) {
        return "{\"name\":\"" + name + "\",\"role\":\"APP\",\"config\":{\"serverTemplate\":\"Shop App Server\","
                + "\"templateRevision\":7,\"cloud\":\"local\",\"region\":\"loopback\",\"zone\":\"loopback-" + zone
                + "\",\"instanceSize\":\"small\",\"securityGroups\":[\"app\"],\"sshKey\":\"ops\",\"image\":\"debian-12\"}}";
    }
}
