package io.baton.infra;

import io.baton.common.Wait;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A test daemon (moto, sshd) started on a free loopback port, its output in a log: what starting one takes. */
final class LoopbackDaemon {

    private LoopbackDaemon() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code command} and returns once it accepts connections at {@code address}:{@code port}; stops it when it
     * does not.
     */
    static Process start(String name, List<String> command, Path log, String address, int port, Duration timeout)
            throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            Wait.forThe(name + " to listen on port " + port, timeout)
                    .every(Duration.ofMillis(50))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException(name + " exited: " + Files.readString(log));
                        }
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress(address, port), 200);
                            return true;
                        } catch (IOException notYet) {
                            return false;
                        }
                    });
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }
}
