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

    /** Sends a signal ({@code TERM}, {@code KILL}, {@code INT}) to a process on the host; one gone already is fine. */
    default void signal(long pid, String signal) throws IOException {
        if (!signal.matches("[A-Z0-9]+")) {
            throw new IllegalArgumentException("not a signal's name: " + signal);
        }
        if (alive(pid)) {
            try {
                run(null, 10, "kill", "-" + signal, Long.toString(pid));
            } catch (IOException e) {
                if (alive(pid)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Stops the process whose pid is at the start of {@code pidFile}: sends it {@code signal} and waits until it has
     * gone; no file, no number or no such process is nothing to do. A switchover's fence waits on this.
     */
    default void stop(Path pidFile, String signal, Duration timeout, String hint) throws IOException {
        Long pid = pid(pidFile);
        if (pid == null || !alive(pid)) {
            return;
        }
        signal(pid, signal);
        awaitGone(pid, timeout, hint);
    }

    /** Writes a tar archive of everything under {@code dir} to {@code out}. */
    void exportTree(Path dir, java.io.OutputStream out, long timeoutSeconds) throws IOException;

    /** Unpacks a tar archive read from {@code in} into {@code dir}, which is made if it is absent. */
    void importTree(Path dir, java.io.InputStream in, long timeoutSeconds) throws IOException;

    /**
     * Copies the directory {@code from} on {@code source} to {@code to} on {@code target}, whole or not at all: it
     * is unpacked beside {@code to} and moved into place once complete, so a copy cut short (the caller killed, a
     * connection lost) is made again, never taken for a whole one. Between two machines the bytes pass through this
     * process (tar out of one SSH channel, into the other): the machines need no access to each other.
     */
    static void copyTree(Host source, Path from, Host target, Path to, long timeoutSeconds) throws IOException {
        Path partial = to.resolveSibling(to.getFileName() + ".partial");
        target.deleteTree(partial);
        target.deleteTree(to);
        if (source == target) {
            target.run(null, timeoutSeconds, "cp", "-a", from.toString(), partial.toString());
        } else {
            java.io.PipedInputStream in = new java.io.PipedInputStream(1 << 20);
            java.io.PipedOutputStream out = new java.io.PipedOutputStream(in);
            java.util.concurrent.CompletableFuture<Void> sent = new java.util.concurrent.CompletableFuture<>();
            Thread sender = new Thread(
                    () -> {
                        try (out) {
                            source.exportTree(from, out, timeoutSeconds);
                            sent.complete(null);
                        } catch (IOException | RuntimeException e) {
                            sent.completeExceptionally(e);
                        }
                    },
                    "copy from " + source.name());
            sender.setDaemon(true);
            sender.start();
            IOException unpacking = null;
            try (in) {
                target.importTree(partial, in, timeoutSeconds);
            } catch (IOException e) {
                unpacking = e;
            }
            try {
                sent.get(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(
                        "copying " + from + " from " + source.name() + " to " + target.name() + " failed: "
                                + (unpacking != null
                                        ? unpacking.getMessage()
                                        : e.getCause().getMessage()),
                        unpacking != null ? unpacking : e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("copying " + from + " from " + source.name() + " to " + target.name()
                        + " did not finish within " + timeoutSeconds + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while copying " + from, e);
            }
            if (unpacking != null) {
                throw unpacking;
            }
        }
        target.run(null, 60, "mv", "-T", partial.toString(), to.toString());
    }

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
