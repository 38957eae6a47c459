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
    public boolean alive(long pid) {
        return Os.alive(pid);
    }
}
