package io.baton.contracts.fleet;

import java.util.Locale;

/** A database engine a server template installs, by the name templates use, with the port it listens on. */
public enum Engine {
    POSTGRESQL(5432),
    MARIADB(3306);

    private final int port;

    Engine(int port) {
        this.port = port;
    }

    public int port() {
        return port;
    }

    /** The name server templates use: {@code postgresql}, {@code mariadb}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The engine a template's {@code engine} field names; a template that names none installs PostgreSQL. */
    public static Engine of(String name) {
        if (name == null || name.isBlank()) {
            return POSTGRESQL;
        }
        for (Engine e : values()) {
            if (e.id().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "engine " + name + " is not one Baton upgrades; use " + POSTGRESQL.id() + " or " + MARIADB.id());
    }
}
