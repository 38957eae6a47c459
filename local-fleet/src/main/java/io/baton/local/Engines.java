package io.baton.local;

import io.baton.contracts.fleet.Engine;

/** The kinds of servers the local cloud runs: the database engines templates install, and its own two. */
public final class Engines {

    /** {@link Engine#POSTGRESQL}'s name, as a constant for switches and annotations. */
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

    /** The port a server of this kind listens on, on its own address. */
    public static int port(String kind) {
        return APP.equals(kind) || HAPROXY.equals(kind) ? 8080 : Engine.of(kind).port();
    }

    /** The engine for a template's engine field; a template that names none installs PostgreSQL. */
    public static String of(String engine) {
        return Engine.of(engine).id();
    }
}
