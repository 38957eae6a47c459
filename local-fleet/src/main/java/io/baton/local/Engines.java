package io.baton.local;

/** The database engines a server template can install, by the name templates use. */
public final class Engines {

    public static final String POSTGRESQL = "postgresql";
    public static final String MARIADB = "mariadb";

    private Engines() {}

    public static int port(String engine) {
        return MARIADB.equals(engine) ? 3306 : 5432;
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
