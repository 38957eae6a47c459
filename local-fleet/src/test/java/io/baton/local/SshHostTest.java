package io.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.infra.OpenSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The host interface over SSH to a real OpenSSH server on loopback that the test starts. */
class SshHostTest {

    private static OpenSshServer sshd;
    private static SshHost host;
    private static Path dir;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(OpenSshServer.available(), OpenSshServer.MISSING);
        sshd = OpenSshServer.start();
        host = new SshHost(target(sshd.knownHosts(), sshd.clientKey()));
        dir = Files.createTempDirectory(Path.of("/tmp"), "baton-ssh-files-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void down() throws Exception {
        if (sshd != null) {
            host.close();
            sshd.close();
            Os.deleteTree(dir);
        }
    }

    private static SshHost.Target target(Path knownHosts, Path key) {
        return SshHost.Target.parse(sshd.target(), key, knownHosts, Duration.ofSeconds(10));
    }

    @Test
    void runsCommandsAsTheLoginOrAServersUserWithEveryArgumentQuoted() throws Exception {
        long before = host.commands();
        assertThat(host.run(null, 10, "id", "-un").strip()).isEqualTo("root");
        assertThat(host.run("postgres", 10, "id", "-un").strip()).isEqualTo("postgres");
        String hostile = "a'b; touch " + dir.resolve("pwned") + "; $(id) `id` \"q\"";
        assertThat(host.run(null, 10, "printf", "%s", hostile)).isEqualTo(hostile);
        assertThat(dir.resolve("pwned")).doesNotExist();
        assertThat(host.commands() - before).as("commands that went over SSH").isEqualTo(3);
    }

    @Test
    void aFailingCommandSaysWhatItPrintedAndAHangingOneIsCutAtItsDeadline() {
        assertThatThrownBy(() -> host.run(null, 10, "sh", "-c", "echo broken >&2; exit 3"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("broken");
        long started = System.nanoTime();
        assertThatThrownBy(() -> host.run(null, 1, "sleep", "20"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not finish within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void filesAreReadAndWrittenOnTheHost() throws Exception {
        Path sub = dir.resolve("a/b");
        host.mkdirs(sub);
        Path file = sub.resolve("conf");
        assertThat(host.exists(file)).isFalse();
        host.write(file, "one\n");
        host.append(file, "two\n");
        assertThat(host.read(file)).isEqualTo("one\ntwo\n");
        host.write(file, "replaced\n");
        assertThat(Files.readString(file)).isEqualTo("replaced\n");
        Path secret = sub.resolve("pgpass");
        host.writeOwnerOnly(secret, "*:*:*:postgres:pw\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                .isEqualTo("rw-------");
        host.chown(secret, "postgres");
        assertThat(Files.getOwner(secret).getName()).isEqualTo("postgres");
        assertThat(host.readBytes(secret)).isEqualTo("*:*:*:postgres:pw\n".getBytes());
        host.delete(file);
        host.delete(file);
        assertThat(host.exists(file)).isFalse();
        assertThatThrownBy(() -> host.read(file)).isInstanceOf(java.nio.file.NoSuchFileException.class);
        host.deleteTree(dir.resolve("a"));
        assertThat(dir.resolve("a")).doesNotExist();
        assertThatThrownBy(() -> host.deleteTree(Path.of("/tmp"))).hasMessageContaining("too near the root");
    }

    /**
     * A tree goes from one host to another through this process, both ways, larger than the pipe and the SSH
     * window, with its modes; one whose source fails leaves nothing where the copy was to be, and a copy replaces
     * what was there.
     */
    @Test
    void treesAreCopiedBetweenHostsWholeOrNotAtAll() throws Exception {
        Path source = dir.resolve("tree");
        Files.createDirectories(source.resolve("sub"));
        byte[] big = new byte[5 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        Files.write(source.resolve("sub").resolve("big.bin"), big);
        Files.writeString(source.resolve("secret"), "only mine\n");
        Files.setPosixFilePermissions(source.resolve("secret"), PosixFilePermissions.fromString("rw-------"));

        Path here = dir.resolve("copied-here");
        Files.createDirectories(here);
        Files.writeString(here.resolve("stale"), "from before");
        Host.copyTree(host, source, LocalHost.INSTANCE, here, 60);
        Path there = dir.resolve("copied-there");
        // what a copy cut short (its process killed) left beside the target: made again, not taken for whole
        Files.createDirectories(dir.resolve("copied-there.partial"));
        Files.writeString(dir.resolve("copied-there.partial").resolve("stale"), "half a copy");
        Host.copyTree(LocalHost.INSTANCE, here, host, there, 60);
        assertThat(dir.resolve("copied-there.partial")).doesNotExist();
        for (Path copy : List.of(here, there)) {
            assertThat(Files.readAllBytes(copy.resolve("sub").resolve("big.bin")))
                    .isEqualTo(big);
            assertThat(Files.getPosixFilePermissions(copy.resolve("secret")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(copy.resolve("stale")).as("what the copy replaced").doesNotExist();
        }

        Path nowhere = dir.resolve("not-copied");
        assertThatThrownBy(() -> Host.copyTree(host, dir.resolve("no-such-tree"), LocalHost.INSTANCE, nowhere, 60))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no-such-tree")
                .hasMessageContaining(sshd.target());
        assertThat(nowhere).as("a copy that failed").doesNotExist();
    }

    @Test
    void aSignalReachesAProcessOnTheHost() throws Exception {
        long pid = host.spawn(dir.resolve("signalled.log"), Map.of(), "sleep", "60");
        host.signal(pid, "TERM");
        host.awaitGone(pid, Duration.ofSeconds(10), null);
        host.signal(pid, "TERM"); // gone already: nothing to do
        assertThatThrownBy(() -> host.signal(pid, "TERM; reboot")).isInstanceOf(IllegalArgumentException.class);

        // read, signal and wait in one command: stopped; stopped again or without a pid file, nothing to do
        long daemon = host.spawn(dir.resolve("stopped.log"), Map.of(), "sleep", "60");
        Path pidFile = dir.resolve("stopped.pid");
        host.write(pidFile, daemon + "\nother lines a server writes\n");
        host.stop(pidFile, "TERM", Duration.ofSeconds(10), null);
        assertThat(host.alive(daemon)).isFalse();
        host.stop(pidFile, "TERM", Duration.ofSeconds(10), null);
        host.stop(dir.resolve("no-such.pid"), "TERM", Duration.ofSeconds(10), null);
        // one that ignores the signal is reported with the hint once the deadline passes
        long stubborn = host.spawn(dir.resolve("stubborn.log"), Map.of(), "sh", "-c", "trap '' TERM; sleep 60");
        host.write(pidFile, stubborn + "\n");
        assertThatThrownBy(() -> host.stop(pidFile, "TERM", Duration.ofSeconds(1), "see its log"))
                .hasMessageContaining("did not exit within")
                .hasMessageContaining("see its log");
        host.stop(pidFile, "KILL", Duration.ofSeconds(10), null);
        assertThat(host.alive(stubborn)).isFalse();
    }

    @Test
    void aDaemonOutlivesItsCommandAndIsWatchedByPid() throws Exception {
        Path log = dir.resolve("daemon.log");
        long pid = host.spawn(log, Map.of("GREETING", "hello"), "sh", "-c", "echo $GREETING; exec sleep 60");
        assertThat(host.alive(pid)).isTrue();
        assertThat(Os.alive(pid)).as("the same process, seen from here").isTrue();
        host.write(dir.resolve("daemon.pid"), pid + "\n");
        assertThat(host.running(dir.resolve("daemon.pid"))).isTrue();
        assertThatThrownBy(() -> host.awaitGone(pid, Duration.ofSeconds(1), "see its log"))
                .hasMessageContaining("did not exit within")
                .hasMessageContaining("see its log");
        host.run(null, 10, "kill", Long.toString(pid));
        host.awaitGone(pid, Duration.ofSeconds(10), null);
        assertThat(host.running(dir.resolve("daemon.pid"))).isFalse();
        assertThat(Files.readString(log)).contains("hello");
    }

    @Test
    void aDaemonsControlSocketAnswersOverSshAsItDoesHere() throws Exception {
        Path socket = dir.resolve("control.sock");
        long pid = host.spawn(
                dir.resolve("socat.log"), Map.of(), "socat", "UNIX-LISTEN:" + socket + ",fork", "EXEC:tr a-z A-Z");
        try {
            Os.await(
                    io.baton.common.Wait.forThe("the socket", Duration.ofSeconds(10))
                            .every(Duration.ofMillis(20)),
                    null,
                    () -> Files.exists(socket));
            assertThat(host.converse(socket, "show info\n")).isEqualTo("SHOW INFO\n");
            assertThat(LocalHost.INSTANCE.converse(socket, "show info\n")).isEqualTo("SHOW INFO\n");
        } finally {
            host.run(null, 10, "kill", Long.toString(pid));
        }
    }

    @Test
    void anUnknownOrChangedHostKeyIsRefusedAndSoIsAnUnauthorizedKey() throws Exception {
        Path other = dir.resolve("other-key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", other.toString())
                .start()
                .waitFor();
        Path changed = dir.resolve("known_hosts_changed");
        String[] key = Files.readString(Path.of(other + ".pub")).strip().split("\\s+");
        Files.writeString(changed, "[127.0.0.1]:" + sshd.port() + " " + key[0] + " " + key[1] + "\n");
        try (SshHost wrongHost = new SshHost(target(changed, sshd.clientKey()))) {
            assertThatThrownBy(() -> wrongHost.run(null, 10, "true"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Server key did not validate");
        }
        Path unknown = dir.resolve("known_hosts_empty");
        Files.writeString(unknown, "");
        try (SshHost unknownHost = new SshHost(target(unknown, sshd.clientKey()))) {
            assertThatThrownBy(() -> unknownHost.run(null, 10, "true"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Server key did not validate");
        }
        assertThatThrownBy(() -> new SshHost(target(dir.resolve("no-such-file"), sshd.clientKey())))
                .hasMessageContaining("known-hosts file");
        try (SshHost stranger = new SshHost(target(sshd.knownHosts(), other))) {
            assertThatThrownBy(() -> stranger.run(null, 10, "true"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("signing in");
        }
    }
}
