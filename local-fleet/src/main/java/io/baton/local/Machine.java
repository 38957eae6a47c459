package io.baton.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A machine of the fleet ({@code baton.local.machines}), reached over SSH: a server placed on it listens on the
 * machine's IPv4 address at its engine's port and keeps its files under {@code root} there. Baton keeps its records
 * (which servers exist, passwords, write paths) in its own directory; a machine holds only what runs on it.
 *
 * @param target {@code user@address:port}, the SSH target, which a server's record names
 */
public record Machine(String target, String address, Path root, Host host) {

    /**
     * A machine from {@code user@address[:port][=directory]}: the SSH target, and the directory on it for Baton's
     * servers ({@code defaultRoot} when absent). The address is the machine's IPv4 address, on which its servers
     * listen and by which the others reach them.
     */
    public static Machine connect(String spec, Path defaultRoot, Path key, Path knownHosts, Duration connectTimeout)
            throws IOException {
        String s = spec.strip();
        int eq = s.indexOf('=');
        Path root = eq < 0 ? defaultRoot : Path.of(s.substring(eq + 1));
        SshHost.Target target = SshHost.Target.parse(eq < 0 ? s : s.substring(0, eq), key, knownHosts, connectTimeout);
        try {
            ConfigValues.network("machine", target.host() + "/32");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the machine " + spec + " is named by its IPv4 address, on which its"
                    + " servers listen, not by " + target.host());
        }
        if (!root.isAbsolute() || root.getNameCount() < 2) {
            throw new IllegalArgumentException("the directory for Baton's servers on " + target
                    + " must be an absolute path below the root (such" + " as /var/lib/baton), not " + root);
        }
        ConfigValues.path("directory on " + target, root);
        return new Machine(target.toString(), target.host(), root, new SshHost(target));
    }

    /** The machines of a list of specs (blank ones skipped), as {@link #connect} reads each. */
    public static java.util.List<Machine> connectAll(
            java.util.List<String> specs, Path defaultRoot, Path key, Path knownHosts, Duration connectTimeout)
            throws IOException {
        java.util.List<Machine> machines = new java.util.ArrayList<>();
        for (String spec : specs) {
            if (!spec.isBlank()) {
                machines.add(connect(spec, defaultRoot, key, knownHosts, connectTimeout));
            }
        }
        return machines;
    }

    /** A server's directory on this machine. */
    Path home(String kind, String id) {
        return root.resolve(kind).resolve(id);
    }
}
