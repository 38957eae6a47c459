package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The machine the local cloud's servers run on, as the services reach it: every operation on a server's host (its
 * tools such as pg_ctl and mariadb-backup, its daemons, its files such as standby.signal, configuration files and
 * the health-check file) goes through here. {@link LocalHost} is this machine; {@link SshHost} is one reached over
 * SSH. The local cloud's own records (which servers exist, the deployments' passwords, write paths) stay with Baton.
 */
public interface Host extends AutoCloseable {

    /** Where it is, for messages: {@code this machine}, {@code root@10.0.0.5:22}. */
    String name();

    /**
     * Runs a command to its end and returns its output (standard error included); fails with the output's tail when
     * it exits non-zero or does not end within {@code timeoutSeconds}. {@code asUser}: the unprivileged user to run
     * it as when the host is entered as root.
     */
    String run(String asUser, long timeoutSeconds, String... command) throws IOException;

    /** Starts a daemon in its own session, its output appended to {@code log}; returns its pid. */
    long spawn(Path log, Map<String, String> environment, String... command) throws IOException;

    boolean exists(Path path) throws IOException;

    byte[] readBytes(Path file) throws IOException;

    default String read(Path file) throws IOException {
        return new String(readBytes(file), StandardCharsets.UTF_8);
    }

    /** Replaces the file's content at once (a reader sees the old content or the new, never part). */
    void write(Path file, String text) throws IOException;

    void append(Path file, String text) throws IOException;

    /** Writes a file only its owner may read or write (a password file). */
    void writeOwnerOnly(Path file, String text) throws IOException;

    void mkdirs(Path dir) throws IOException;

    /** Deletes a file if it is there. */
    void delete(Path file) throws IOException;

    /** Deletes a directory and everything under it, if it is there. */
    void deleteTree(Path dir) throws IOException;

    /** Gives a tree to {@code user} (recursively), when the host is entered as root. */
    void chown(Path path, String user) throws IOException;

    /**
     * Sends a request to a Unix socket on the host (a daemon's control socket, such as HAProxy's runtime API) and
     * returns everything it answers until it closes the connection.
     */
    String converse(Path socket, String request) throws IOException;

    /** Whether a process runs (a zombie has stopped and does not). */
    boolean alive(long pid) throws IOException;

    /** The pid a daemon wrote at the start of {@code file}; null when there is no such file or number. */
    default Long pid(Path file) {
        try {
            // one read, not a look and then a read: over SSH each is a round trip, and a switchover's fence waits
            return Long.parseLong(read(file).strip().split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Whether the process whose pid is in {@code pidFile} runs. */
    default boolean running(Path pidFile) {
        Long pid = pid(pidFile);
        try {
            return pid != null && alive(pid);
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until a process has gone, looking every 2 ms; fails when it is still there after {@code timeout}. */
    default void awaitGone(long pid, Duration timeout, String hint) throws IOException {
        Os.await(
                Wait.forThe("process " + pid + " to exit on " + name(), timeout).every(Duration.ofMillis(2)),
                hint,
                () -> !alive(pid));
    }

    @Override
    default void close() {}
}
