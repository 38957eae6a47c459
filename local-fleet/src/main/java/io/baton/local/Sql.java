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

    /** A connection as {@code login} (the deployment's administrator, as a rule) on {@code host:port}. */
    public static Connection connect(Secrets.Login login, String address, String database) throws SQLException {
        Properties p = new Properties();
        String url;
        p.setProperty("user", login.user());
        p.setProperty("password", login.password());
        if (Engines.MARIADB.equals(login.engine())) {
            p.setProperty("connectTimeout", "3000");
            url = "jdbc:mariadb://" + address + "/" + (database == null ? "" : database);
        } else {
            p.setProperty("connectTimeout", "3");
            p.setProperty("ApplicationName", "baton");
            url = "jdbc:postgresql://" + address + "/" + (database == null ? "postgres" : database);
        }
        return DriverManager.getConnection(url, p);
    }

    /** A connection to a server as its deployment's administrator. */
    public static Connection admin(Instance server) throws SQLException {
        return connect(login(server), server.address(), null);
    }

    /** The administrator's login of a server's deployment. */
    public static Secrets.Login login(Instance server) throws SQLException {
        return credentials(server).admin();
    }

    /** The passwords of a server's deployment, for a caller that speaks SQL. */
    public static Secrets.Credentials credentials(Instance server) throws SQLException {
        try {
            return server.secrets().of(server);
        } catch (java.io.IOException e) {
            throw new SQLException("the passwords of " + server.deployment() + " cannot be read: " + e.getMessage(), e);
        }
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

    public static String one(Instance server, String query) throws SQLException {
        try (Connection c = admin(server)) {
            return one(c, query);
        }
    }

    public static void exec(Instance server, String... statements) throws SQLException {
        try (Connection c = admin(server)) {
            exec(c, statements);
        }
    }

    /** Single quotes doubled, for the few values the servers take only as literals. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
