package io.baton.local;

import io.baton.common.OwnerOnly;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** This machine: processes run here and files are read and written here. */
public final class LocalHost implements Host {

    public static final LocalHost INSTANCE = new LocalHost();

    private LocalHost() {}

    @Override
    public String name() {
        return "this machine";
    }

    @Override
    public String run(String asUser, long timeoutSeconds, String... command) throws IOException {
        return Os.run(asUser, timeoutSeconds, command);
    }

    @Override
    public long spawn(Path log, Map<String, String> environment, String... command) throws IOException {
        return Os.spawn(log, environment, command).pid();
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public byte[] readBytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    @Override
    public void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void writeOwnerOnly(Path file, String text) throws IOException {
        OwnerOnly.write(file, text);
    }

    @Override
    public void mkdirs(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void deleteTree(Path dir) throws IOException {
        Os.deleteTree(dir);
    }

    @Override
    public void chown(Path path, String user) throws IOException {
        Os.chown(path, user);
    }

    @Override
    public String converse(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            // the request ends here, as socat's does over SSH
            channel.shutdownOutput();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            StringBuilder answer = new StringBuilder();
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                answer.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
            }
            return answer.toString();
        }
    }

    @Override
    public void exportTree(Path dir, java.io.OutputStream out, long timeoutSeconds) throws IOException {
        tar(timeoutSeconds, p -> p.getInputStream().transferTo(out), "-C", dir.toString(), "-cf", "-", ".");
    }

    @Override
    public void importTree(Path dir, java.io.InputStream in, long timeoutSeconds) throws IOException {
        Files.createDirectories(dir);
        tar(
                timeoutSeconds,
                p -> {
                    try (java.io.OutputStream stdin = p.getOutputStream()) {
                        in.transferTo(stdin);
                    }
                },
                "-C",
                dir.toString(),
                "-xf",
                "-");
    }

    private interface Pump {
        void run(Process tar) throws IOException;
    }

    /** Runs tar with its archive on a pipe that {@code pump} fills or drains; its messages go to a file. */
    private static void tar(long timeoutSeconds, Pump pump, String... args) throws IOException {
        Path messages = Files.createTempFile("baton-tar-", ".log");
        try {
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("tar"));
            command.addAll(java.util.List.of(args));
            Process p =
                    new ProcessBuilder(command).redirectError(messages.toFile()).start();
            try {
                pump.run(p);
                p.getOutputStream().close();
                if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IOException("tar did not finish within " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running tar", e);
            } finally {
                p.destroyForcibly();
            }
            if (p.exitValue() != 0) {
                throw new IOException("tar " + String.join(" ", args) + " exited with " + p.exitValue() + ": "
                        + Os.tail(Files.readString(messages)));
            }
        } finally {
            Files.deleteIfExists(messages);
        }
    }

    @Override
    public boolean alive(long pid) {
        return Os.alive(pid);
    }
}
