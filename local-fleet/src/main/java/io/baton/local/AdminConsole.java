package io.baton.local;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * PgBouncer's admin console over the PostgreSQL wire protocol, simple queries only. JDBC drivers send settings the
 * console refuses, and a console command must not wait for a process to start: a switchover's fence counts each
 * millisecond.
 */
final class AdminConsole implements AutoCloseable {

    /** The console answered a command with an error. */
    static final class ConsoleError extends IOException {
        ConsoleError(String message) {
            super(message);
        }
    }

    private static final int PROTOCOL_3 = 196608;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private AdminConsole(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        // one write per message: PgBouncer drops a client whose startup packet arrives in pieces
        this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
    }

    static AdminConsole open(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 3_000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            AdminConsole console = new AdminConsole(socket);
            console.startup();
            return console;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void startup() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeInt(PROTOCOL_3);
        for (String s : new String[] {"user", "postgres", "database", "pgbouncer"}) {
            b.write(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        b.write(0);
        out.writeInt(body.size() + 4);
        body.writeTo(out);
        out.flush();
        awaitReady();
    }

    /** Runs one command and returns when the console is ready again; an error answer is thrown. */
    void run(String command) throws IOException {
        byte[] text = command.getBytes(StandardCharsets.UTF_8);
        out.writeByte('Q');
        out.writeInt(4 + text.length + 1);
        out.write(text);
        out.write(0);
        out.flush();
        awaitReady();
    }

    private void awaitReady() throws IOException {
        String error = null;
        while (true) {
            byte type = in.readByte();
            int length = in.readInt();
            byte[] payload = new byte[length - 4];
            in.readFully(payload);
            if (type == 'E') {
                error = message(payload);
            } else if (type == 'R' && readInt(payload) != 0) {
                throw new IOException("PgBouncer asks for a password; Baton's write path uses trust on loopback");
            } else if (type == 'Z') {
                if (error != null) {
                    throw new ConsoleError(error);
                }
                return;
            }
        }
    }

    /** The human message field ('M') of an error response. */
    private static String message(byte[] payload) {
        int i = 0;
        while (i < payload.length && payload[i] != 0) {
            byte field = payload[i++];
            int end = i;
            while (end < payload.length && payload[end] != 0) {
                end++;
            }
            String value = new String(payload, i, end - i, StandardCharsets.UTF_8);
            if (field == 'M') {
                return value;
            }
            i = end + 1;
        }
        return "error";
    }

    private static int readInt(byte[] b) {
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    @Override
    public void close() throws IOException {
        try {
            out.writeByte('X');
            out.writeInt(4);
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            socket.close();
        }
    }
}
