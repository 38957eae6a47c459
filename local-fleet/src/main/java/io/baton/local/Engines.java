package io.baton.local;

/** The database engines a server template can install, by the name templates use. */
public final class Engines {

    public static final String POSTGRESQL = "postgresql";
    public static final String MARIADB = "mariadb";
    /** Not database engines: the local cloud's application servers and load balancers. */
    public static final String APP = "app";

    public static final String HAPROXY = "haproxy";

    private Engines() {}

    /** The programs the local cloud needs for servers of {@code engine} that this machine lacks. */
    public static java.util.List<String> missingTools(String engine) {
        java.util.List<String> tools = MARIADB.equals(of(engine))
                ? java.util.List.of("mariadbd", "mariadb-install-db", "mariadb-backup")
                : java.util.List.of(
                        LocalFleet.Settings.defaults()
                                .postgresBin()
                                .resolve("initdb")
                                .toString(),
                        "pgbouncer");
        return tools.stream().filter(t -> !Os.installed(t)).toList();
    }

    public static int port(String engine) {
        return switch (engine) {
            case MARIADB -> 3306;
            case APP, HAPROXY -> 8080;
            default -> 5432;
        };
    }

    /** The engine for a template's engine field; a template that names none installs PostgreSQL. */
    public static String of(String engine) {
        if (engine == null || engine.isBlank() || POSTGRESQL.equals(engine)) {
            return POSTGRESQL;
        }
        if (MARIADB.equals(engine)) {
            return MARIADB;
        }
        throw new IllegalArgumentException(
                "engine " + engine + " is not one the local cloud installs; use postgresql or mariadb");
    }
}
