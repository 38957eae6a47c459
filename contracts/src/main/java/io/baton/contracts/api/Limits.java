package io.baton.contracts.api;

/**
 * What an operator may write in a request, as patterns the requests' constraints use. A value that does not match is a
 * 400 naming the field; nothing that fails them is stored, so none of them reaches a configuration file, a command
 * line or a process's environment.
 */
public final class Limits {

    private Limits() {}

    /** A deployment, server or array name: a DNS label (RFC 1123), at most 63 characters. */
    public static final String NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";

    public static final String NAME_MESSAGE = "use 1 to 63 lowercase letters, digits and inner dashes (a DNS label)";

    /** host:port, the host a DNS name or an IPv4 address, the port from 1 to 65535. */
    public static final String ADDRESS = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
            + ":([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

    public static final String ADDRESS_MESSAGE = "use host:port, such as db-1.internal:5432 or 10.0.0.5:5432";

    /**
     * An input's key: an environment variable name, and none of those that change how a process starts (the dynamic
     * linker's, the JVM's, the shell's, interpreters' search paths) or that Baton sets itself.
     */
    public static final String INPUT_KEY = "(?!(JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|JAVA_OPTS|CLASSPATH"
            + "|PATH|HOME|SHELL|IFS|ENV|BASH_ENV|CDPATH|PS4|TMPDIR|PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|NODE_OPTIONS"
            + "|NODE_PATH|PERL5LIB|PERL5OPT|PERLLIB|RUBYOPT|RUBYLIB|GLIBC_TUNABLES|LD_[A-Z0-9_]*|DYLD_[A-Z0-9_]*"
            + "|MALLOC_[A-Z0-9_]*|SERVER_NAME|LISTEN_HOST|LISTEN_PORT|HEALTH_CHECK_FILE|DB_URL)$)[A-Z_][A-Z0-9_]{0,63}";

    public static final String INPUT_KEY_MESSAGE = "use an environment variable name of capitals, digits and _ (at most"
            + " 64), not one that changes how a process starts (LD_*, JAVA_TOOL_OPTIONS, PATH, ...)";

    /** The longest free text of a field (a reason, a template name, an input's value). */
    public static final int TEXT = 1024;

    /** The longest script of a migration. */
    public static final int SCRIPT = 65_536;

    /** The most entries of a list or a map in a request. */
    public static final int ENTRIES = 100;
}
