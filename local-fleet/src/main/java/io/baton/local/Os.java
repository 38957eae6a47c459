package io.baton.local;

import io.baton.common.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the database tools, as an unprivileged user when this process is root (initdb and PgBouncer refuse root). */
public final class Os {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Os() {}

    public static boolean root() {
        return ROOT;
    }

    /** Runs a command to its end and returns its output; fails with the output's tail when it exits non-zero. */
    public static String run(String asUser, long timeoutSeconds, String... command) throws IOException {
        List<String> full = new ArrayList<>();
        if (ROOT && asUser != null) {
            full.addAll(List.of("runuser", "-u", asUser, "--"));
        }
        full.addAll(List.of(command));
        Path out = Files.createTempFile("baton-os", ".log");
        try {
            Process p = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            boolean ended;
            try {
                ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command[0], e);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (!ended) {
                p.destroyForcibly();
                throw new IOException(command[0] + " did not finish within " + timeoutSeconds + " s: " + tail(output));
            }
            if (p.exitValue() != 0) {
                throw new IOException(
                        String.join(" ", command) + " exited with " + p.exitValue() + ": " + tail(output));
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Starts a long-running daemon in its own session so that it outlives this process and its signals. */
    public static Process spawn(Path log, String... command) throws IOException {
        return spawn(log, java.util.Map.of(), command);
    }

    /** The same, with more environment variables; returns the process (whose pid setsid keeps). */
    public static Process spawn(Path log, java.util.Map<String, String> environment, String... command)
            throws IOException {
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Gives a tree to {@code user} (recursively), when this process is root and may. */
    public static void chown(Path path, String user) throws IOException {
        if (!ROOT || user == null) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(
                        p, PosixFileAttributeView.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                view.setOwner(owner);
                view.setGroup(group);
            }
        }
    }

    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The pid a daemon wrote at the start of {@code file}; null when there is no such file or number. */
    public static Long pid(Path file) {
        try {
            return Files.exists(file)
                    ? Long.parseLong(Files.readString(file).strip().split("\\s+")[0])
                    : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Whether the process whose pid is in {@code file} runs. */
    public static boolean running(Path pidFile) {
        Long pid = pid(pidFile);
        return pid != null && alive(pid);
    }

    /** Waits until a process has gone, looking every 2 ms; fails when it is still there after {@code timeout}. */
    public static void awaitGone(long pid, Duration timeout, String hint) throws IOException {
        await(Wait.forThe("process " + pid + " to exit", timeout).every(Duration.ofMillis(2)), hint, () -> !alive(pid));
    }

    /**
     * Waits, as {@code wait} says, for something a server does on its own time; fails with an IOException that names
     * it, and where to look ({@code hint}), when it does not happen.
     */
    public static <E extends Exception> void await(Wait wait, String hint, Wait.Condition<E> condition)
            throws IOException, E {
        try {
            wait.until(condition);
        } catch (Wait.Unfinished e) {
            throw new IOException(e.getMessage() + (hint == null ? "" : "; " + hint));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting", e);
        }
    }

    /**
     * Whether a process runs. An exited daemon stays a zombie until its parent, often PID 1, reaps it (a second or
     * more on some machines); a zombie has stopped and counts as gone.
     */
    public static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (command) state ...": the state follows the last parenthesis
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** Whether a program is on this machine, at an absolute path or on the PATH. */
    public static boolean installed(String program) {
        if (program.startsWith("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program));
    }

    static String tail(String output) {
        String trimmed = output.strip();
        return trimmed.length() <= 800 ? trimmed : "…" + trimmed.substring(trimmed.length() - 800);
    }
}
