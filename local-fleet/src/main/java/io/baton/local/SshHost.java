package io.baton.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * A host reached over SSH (Apache MINA SSHD): key authentication only, the host's key checked against a known-hosts
 * file (an unknown or changed key is refused, never accepted), a deadline on connecting, signing in and every
 * command. Commands run through the login's shell with every argument quoted; files are read and written with
 * {@code cat}, replaced through a temporary file and {@code mv}. One connection, kept and opened again when lost;
 * at most {@value #CHANNELS} commands at once on it (OpenSSH allows 10 sessions per connection by default).
 */
public final class SshHost implements Host {

    static final int CHANNELS = 8;

    /**
     * Where and how to sign in.
     *
     * @param knownHosts a known-hosts file holding the host's key ({@code [host]:port} for a port other than 22)
     * @param key the private key to sign in with (OpenSSH format; RSA, ECDSA or Ed25519)
     */
    public record Target(String user, String host, int port, Path key, Path knownHosts, Duration connectTimeout) {

        /** {@code user@host:port}, the port 22 when absent. */
        public static Target parse(String target, Path key, Path knownHosts, Duration connectTimeout) {
            int at = target.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("an SSH target is user@host[:port], not " + target);
            }
            String rest = target.substring(at + 1);
            int colon = rest.lastIndexOf(':');
            String host = colon < 0 ? rest : rest.substring(0, colon);
            int port = colon < 0 ? 22 : Integer.parseInt(rest.substring(colon + 1));
            return new Target(target.substring(0, at), host, port, key, knownHosts, connectTimeout);
        }

        @Override
        public String toString() {
            return user + "@" + host + ":" + port;
        }
    }

    private final Target target;
    private final SshClient client;
    private final Semaphore channels = new Semaphore(CHANNELS);
    private ClientSession session;
    private long commands;

    public SshHost(Target target) throws IOException {
        if (!Files.isRegularFile(target.knownHosts())) {
            throw new IOException("the known-hosts file " + target.knownHosts() + " is missing: Baton signs in only"
                    + " to a host whose key it knows");
        }
        this.target = target;
        this.client = SshClient.setUpDefaultClient();
        // a command's few small packets go at once, not held back for the peer's delayed acknowledgement (~40 ms)
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        // an unknown host key is refused (RejectAll); a changed one too (no modified-key acceptor)
        client.setServerKeyVerifier(
                new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, target.knownHosts()));
        FileKeyPairProvider keys = new FileKeyPairProvider(target.key());
        client.setKeyIdentityProvider(keys);
        client.setPasswordIdentityProvider(null);
        client.start();
        List<KeyPair> loaded = new ArrayList<>();
        try {
            keys.loadKeys(null).forEach(loaded::add);
        } catch (RuntimeException e) {
            client.stop();
            throw new IOException("the SSH key " + target.key() + " cannot be read: " + e.getMessage(), e);
        }
        if (loaded.isEmpty()) {
            client.stop();
            throw new IOException("no private key in " + target.key());
        }
    }

    @Override
    public String name() {
        return target.toString();
    }

    /** How many commands ran over the connection so far. */
    public synchronized long commands() {
        return commands;
    }

    private synchronized ClientSession session() throws IOException {
        if (session != null && session.isOpen() && session.isAuthenticated()) {
            return session;
        }
        if (session != null) {
            session.close(true);
        }
        ClientSession s = client.connect(target.user(), target.host(), target.port())
                .verify(target.connectTimeout())
                .getSession();
        try {
            s.auth().verify(target.connectTimeout());
        } catch (IOException e) {
            s.close(true);
            throw new IOException("signing in to " + target + " failed: " + e.getMessage(), e);
        }
        session = s;
        return s;
    }

    /** Waits for one of the connection's channels; the caller releases it. */
    private void acquireChannel(long timeoutSeconds) throws IOException {
        try {
            if (!channels.tryAcquire(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IOException("no free SSH channel to " + target + " within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for an SSH channel", e);
        }
    }

    /** Runs a shell command line; returns its exit status and output (standard error included). */
    private Result exec(String line, byte[] input, long timeoutSeconds) throws IOException {
        acquireChannel(timeoutSeconds);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ChannelExec channel = session().createExecChannel(line)) {
                channel.setOut(out);
                channel.setErr(out);
                channel.open().verify(target.connectTimeout());
                // the command's standard input: the bytes given, then its end (EOF) at once
                try (java.io.OutputStream stdin = channel.getInvertedIn()) {
                    if (input != null) {
                        stdin.write(input);
                    }
                }
                synchronized (this) {
                    commands++;
                }
                Set<ClientChannelEvent> events = channel.waitFor(
                        EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(timeoutSeconds));
                if (!events.contains(ClientChannelEvent.CLOSED)) {
                    channel.close(true);
                    throw new IOException("`" + shorten(line) + "` on " + target + " did not finish within "
                            + timeoutSeconds + " s: " + Os.tail(out.toString(StandardCharsets.UTF_8)));
                }
                Integer status = channel.getExitStatus();
                return new Result(status == null ? -1 : status, out.toByteArray());
            }
        } finally {
            channels.release();
        }
    }

    private record Result(int status, byte[] output) {
        String text() {
            return new String(output, StandardCharsets.UTF_8);
        }
    }

    private String check(String line, byte[] input, long timeoutSeconds) throws IOException {
        Result r = exec(line, input, timeoutSeconds);
        if (r.status() != 0) {
            throw new IOException(
                    "`" + shorten(line) + "` on " + target + " exited with " + r.status() + ": " + Os.tail(r.text()));
        }
        return r.text();
    }

    @Override
    public String run(String asUser, long timeoutSeconds, String... command) throws IOException {
        List<String> full = new ArrayList<>();
        if ("root".equals(target.user()) && asUser != null) {
            full.addAll(List.of("runuser", "-u", asUser, "--"));
        }
        full.addAll(List.of(command));
        // the tools' stdin is empty, as Os.run gives them /dev/null
        return check(quote(full) + " </dev/null", null, timeoutSeconds);
    }

    @Override
    public long spawn(Path log, Map<String, String> environment, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("env"));
        environment.forEach((k, v) -> full.add(k + "=" + v));
        full.add("setsid");
        full.addAll(List.of(command));
        String out =
                check(quote(full) + " >>" + quote(List.of(log.toString())) + " 2>&1 </dev/null & echo $!", null, 30);
        return Long.parseLong(out.strip());
    }

    @Override
    public boolean exists(Path path) throws IOException {
        return exec("test -e " + quote(path), null, 30).status() == 0;
    }

    @Override
    public byte[] readBytes(Path file) throws IOException {
        Result r = exec("cat " + quote(file), null, 60);
        if (r.status() != 0) {
            throw new java.nio.file.NoSuchFileException(file + " on " + target + ": " + Os.tail(r.text()));
        }
        return r.output();
    }

    @Override
    public void write(Path file, String text) throws IOException {
        String tmp = quote(Path.of(file + ".tmp"));
        check("cat > " + tmp + " && mv -f " + tmp + " " + quote(file), text.getBytes(StandardCharsets.UTF_8), 60);
    }

    @Override
    public void append(Path file, String text) throws IOException {
        check("cat >> " + quote(file), text.getBytes(StandardCharsets.UTF_8), 60);
    }

    @Override
    public void writeOwnerOnly(Path file, String text) throws IOException {
        String tmp = quote(Path.of(file + ".tmp"));
        check(
                "umask 077 && rm -f " + tmp + " && cat > " + tmp + " && chmod 600 " + tmp + " && mv -f " + tmp + " "
                        + quote(file),
                text.getBytes(StandardCharsets.UTF_8),
                60);
    }

    @Override
    public void mkdirs(Path dir) throws IOException {
        check("mkdir -p " + quote(dir), null, 30);
    }

    @Override
    public void delete(Path file) throws IOException {
        check("rm -f " + quote(file), null, 30);
    }

    @Override
    public void deleteTree(Path dir) throws IOException {
        if (dir.getNameCount() < 2) {
            throw new IOException("refusing to delete " + dir + " on " + target + ": too near the root");
        }
        check("rm -rf -- " + quote(dir), null, 600);
    }

    @Override
    public void chown(Path path, String user) throws IOException {
        if (!"root".equals(target.user()) || user == null) {
            return;
        }
        check("chown -R " + quote(List.of(user + ":" + user)) + " " + quote(path), null, 120);
    }

    /** Through socat on the host, which passes the request in and the answer out until the daemon closes. */
    @Override
    public String converse(Path socket, String request) throws IOException {
        return check(
                "socat -t 5 - " + quote(List.of("UNIX-CONNECT:" + socket)),
                request.getBytes(StandardCharsets.UTF_8),
                30);
    }

    @Override
    public void exportTree(Path dir, java.io.OutputStream out, long timeoutSeconds) throws IOException {
        stream("tar -C " + quote(dir) + " -cf - .", true, timeoutSeconds, channel -> {
            channel.getInvertedIn().close();
            try (java.io.InputStream archive = channel.getInvertedOut()) {
                archive.transferTo(out);
            }
        });
    }

    @Override
    public void importTree(Path dir, java.io.InputStream in, long timeoutSeconds) throws IOException {
        stream("mkdir -p " + quote(dir) + " && tar -C " + quote(dir) + " -xf -", false, timeoutSeconds, channel -> {
            try (java.io.OutputStream stdin = channel.getInvertedIn()) {
                in.transferTo(stdin);
            }
        });
    }

    private interface Pump {
        void run(ChannelExec channel) throws IOException;
    }

    /**
     * Runs a command whose standard input or output is a stream of any size, moved by {@code pump} with the SSH
     * channel's flow control ({@code output}: the pump reads the command's output, else it is kept for the error
     * message); a deadline closes the channel, which ends the pump.
     */
    private void stream(String line, boolean output, long timeoutSeconds, Pump pump) throws IOException {
        acquireChannel(timeoutSeconds);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session().createExecChannel(line)) {
            channel.setErr(err);
            if (!output) {
                channel.setOut(err);
            }
            var deadline = java.util.concurrent.CompletableFuture.delayedExecutor(timeoutSeconds, TimeUnit.SECONDS);
            var cut = java.util.concurrent.CompletableFuture.runAsync(() -> channel.close(true), deadline);
            try {
                channel.open().verify(target.connectTimeout());
                synchronized (this) {
                    commands++;
                }
                pump.run(channel);
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(timeoutSeconds));
            } finally {
                cut.cancel(false);
            }
            Integer status = channel.getExitStatus();
            if (status == null || status != 0) {
                throw new IOException("`" + shorten(line) + "` on " + target
                        + (status == null ? " was cut off" : " exited with " + status) + ": "
                        + Os.tail(err.toString(StandardCharsets.UTF_8)));
            }
        } finally {
            channels.release();
        }
    }

    @Override
    public boolean alive(long pid) throws IOException {
        // "pid (command) state ...": the state follows the last parenthesis; a zombie (Z) has stopped
        Result r = exec("cat /proc/" + pid + "/stat", null, 30);
        if (r.status() != 0) {
            return false;
        }
        String stat = r.text();
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
    }

    /**
     * Watched on the host itself, every 2 ms, in one command: a round trip per look would make a switchover's fence
     * as long as the network is slow.
     */
    @Override
    public void awaitGone(long pid, Duration timeout, String hint) throws IOException {
        watch(
                "pid=$1\n" + UP + "while up; do sleep 0.002; done\n",
                List.of(Long.toString(pid)),
                timeout,
                "process " + pid,
                hint);
    }

    /**
     * In one command: read the pid, look, signal, and watch it every 2 ms, all on the host. Four round trips would
     * each lengthen a switchover's fence by the network's latency.
     */
    @Override
    public void stop(Path pidFile, String signal, Duration timeout, String hint) throws IOException {
        if (!signal.matches("[A-Z0-9]+")) {
            throw new IllegalArgumentException("not a signal's name: " + signal);
        }
        String script = "pid=$(head -n 1 \"$1\" 2>/dev/null | tr -dc 0-9); [ -n \"$pid\" ] || exit 0\n"
                + UP
                + "up || exit 0\n"
                + "kill -$2 $pid 2>/dev/null || exit 0\n"
                + "while up; do sleep 0.002; done\n";
        watch(script, List.of(pidFile.toString(), signal), timeout, "the process of " + pidFile, hint);
    }

    /**
     * A shell function: whether the process {@code $pid} runs. "pid (command) state ...": the state follows the last
     * parenthesis; a zombie (Z) has stopped.
     */
    private static final String UP = "up() { s=$(sed -n 's/.*) \\(.\\).*/\\1/p' /proc/$pid/stat 2>/dev/null)"
            + " && [ -n \"$s\" ] && [ \"$s\" != Z ]; }\n";

    /** Runs a script that waits on the host, with its arguments, cut at {@code timeout} (reported with the hint). */
    private void watch(String script, List<String> args, Duration timeout, String what, String hint)
            throws IOException {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        List<String> command = new ArrayList<>(List.of(script, "sh"));
        command.addAll(args);
        Result r = exec("timeout " + seconds + " sh -c " + quote(command), null, seconds + 30);
        if (r.status() == 124) {
            throw new IOException(
                    what + " on " + target + " did not exit within " + timeout + (hint == null ? "" : "; " + hint));
        }
        if (r.status() != 0) {
            throw new IOException("watching " + what + " on " + target + " failed: " + Os.tail(r.text()));
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (session != null) {
                session.close(true);
            }
        } finally {
            client.stop();
        }
    }

    private static String quote(Path path) {
        return quote(List.of(path.toString()));
    }

    /** Each argument in single quotes, a single quote inside written '\'' : nothing in one reaches the shell. */
    static String quote(List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    private static String shorten(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }
}
