package io.baton.local;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Short-lived administrative connections to the local servers: one statement, then closed. */
public final class Sql {

    private Sql() {}

    /** A connection as the engine's administrator, on {@code host:port}. */
    public static Connection admin(String engine, String address, String database) throws SQLException {
        Properties p = new Properties();
        String url;
        if (Engines.MARIADB.equals(engine)) {
            p.setProperty("connectTimeout", "3000");
            p.setProperty("user", "root");
            url = "jdbc:mariadb://" + address + "/" + (database == null ? "" : database);
        } else {
            p.setProperty("connectTimeout", "3");
            p.setProperty("user", "postgres");
            p.setProperty("ApplicationName", "baton");
            url = "jdbc:postgresql://" + address + "/" + (database == null ? "postgres" : database);
        }
        return DriverManager.getConnection(url, p);
    }

    public static String one(Connection c, String query) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(query)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    /** Whether a query (such as SHOW SLAVE STATUS) returns a row at all, whatever its values. */
    public static boolean exists(Connection c, String query) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(query)) {
            return r.next();
        }
    }

    public static List<String> column(Connection c, String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(query)) {
            while (r.next()) {
                values.add(r.getString(1));
            }
        }
        return values;
    }

    public static void exec(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    public static String one(String engine, String address, String query) throws SQLException {
        try (Connection c = admin(engine, address, null)) {
            return one(c, query);
        }
    }

    public static void exec(String engine, String address, String... statements) throws SQLException {
        try (Connection c = admin(engine, address, null)) {
            exec(c, statements);
        }
    }

    /** Single quotes doubled, for the few values the servers take only as literals. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
