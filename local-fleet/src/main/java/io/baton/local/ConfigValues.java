package io.baton.local;

import java.util.regex.Pattern;

/**
 * The one gate for values that go into a server's configuration or commands (postgresql.conf, primary_conninfo,
 * pgbouncer.ini, haproxy.cfg, HAProxy's runtime API): each must have the form its place allows, or nothing is written.
 * Requests are validated when they arrive; this holds whatever path a value took to get here.
 */
public final class ConfigValues {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9_./-]{0,4000}");
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");

    private ConfigValues() {}

    /** A server or deployment name: a DNS label. */
    public static String label(String what, String value) {
        return matching(what, value, LABEL, "a DNS label");
    }

    /** A host name or IPv4 address. */
    public static String host(String what, String value) {
        return matching(what, value, HOST, "a host name or IPv4 address");
    }

    /** A replication slot name. */
    public static String slot(String what, String value) {
        return matching(what, value, SLOT, "lowercase letters, digits and '_'");
    }

    /** A file's absolute path, of letters, digits and {@code _ . / -} only (no space or quote to escape). */
    public static String path(String what, java.nio.file.Path path) {
        return matching(what, path.toString(), PATH, "an absolute path of letters, digits, '_', '.', '/' and '-'");
    }

    public static int port(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is not a port (1 to 65535); nothing written");
        }
        return port;
    }

    /**
     * An IPv4 network in CIDR form ({@code 10.0.0.0/16}); returns its address (host bits cleared) and its netmask in
     * dotted form, {@code [10.0.0.0, 255.255.0.0]}, as MariaDB's account host names take it.
     */
    public static String[] network(String what, String cidr) {
        java.util.regex.Matcher m = cidr == null ? null : NETWORK.matcher(cidr);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    what + " '" + printable(cidr) + "' is not an IPv4 network such as 10.0.0.0/16; nothing written");
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException(what + " '" + cidr + "' has an octet above 255; nothing written");
            }
            address = (address << 8) | octet;
        }
        int bits = Integer.parseInt(m.group(5));
        if (bits > 32) {
            throw new IllegalArgumentException(what + " '" + cidr + "' has a prefix above /32; nothing written");
        }
        long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return new String[] {dotted(address & mask), dotted(mask)};
    }

    private static final Pattern NETWORK =
            Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

    private static String dotted(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    /** {@code host:port}, both checked; returns the two parts. */
    public static String[] address(String what, String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(
                    what + " '" + printable(address) + "' is not host:port; nothing written");
        }
        String host = host(what, address.substring(0, colon));
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    what + " '" + printable(address) + "' is not host:port; nothing written");
        }
        return new String[] {host, Integer.toString(port(what, port))};
    }

    /**
     * One command of HAProxy's runtime API: ';' separates commands and a line break ends one, so neither (nor any
     * other control character) may be in it.
     */
    public static String runtimeCommand(String command) {
        if (command.indexOf(';') >= 0 || command.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "'" + printable(command) + "' would be more than one HAProxy command; not sent");
        }
        return command;
    }

    /** A string value of postgresql.conf, quoted as it reads them: single quotes doubled, backslashes escaped. */
    public static String pgConfString(String value) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a postgresql.conf value holds a control character; nothing written");
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String matching(String what, String value, Pattern pattern, String form) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " '" + printable(value) + "' is not " + form + "; nothing written");
        }
        return value;
    }

    /** The value as a log can show it: control characters made visible, cut at 80 characters. */
    private static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
