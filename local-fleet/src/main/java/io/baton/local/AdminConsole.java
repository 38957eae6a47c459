package io.baton.local;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private AdminConsole(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        // one write per message: PgBouncer drops a client whose startup packet arrives in pieces
        this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
    }

    /** Opens the console as {@code postgres}, with SCRAM-SHA-256 and the deployment's administrator password. */
    static AdminConsole open(String host, int port, String password) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 3_000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            AdminConsole console = new AdminConsole(socket);
            console.startup(password);
            return console;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void startup(String password) throws IOException {
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
        authenticate(password);
        awaitReady();
    }

    private static final int AUTH_OK = 0;
    private static final int AUTH_SASL = 10;
    private static final int AUTH_SASL_CONTINUE = 11;
    private static final int AUTH_SASL_FINAL = 12;

    /** SaltedPassword of each (password, salt, iterations) seen: a switchover's RESUME should not pay for Hi(). */
    private static final Map<String, byte[]> SALTED = new ConcurrentHashMap<>();

    /**
     * The client's side of SCRAM-SHA-256 (RFC 5802 and 7677, without channel binding): proves the password without
     * sending it and checks that the console knows it too (its signature), so writes are never paused or resumed by
     * a process that only pretends to be the write path.
     */
    private void authenticate(String password) throws IOException {
        int request = authRequest();
        if (request == AUTH_OK) {
            throw new IOException("PgBouncer at " + socket.getRemoteSocketAddress() + " let the console in without a"
                    + " password; its auth_type should be scram-sha-256");
        }
        if (request != AUTH_SASL) {
            throw new IOException(
                    "PgBouncer asks for authentication " + request + "; Baton's write path uses" + " SCRAM-SHA-256");
        }
        byte[] nonceBytes = new byte[18];
        RANDOM.nextBytes(nonceBytes);
        String clientFirstBare = "n=,r=" + Base64.getEncoder().encodeToString(nonceBytes);
        byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream initial = new ByteArrayOutputStream();
        DataOutputStream i = new DataOutputStream(initial);
        i.write("SCRAM-SHA-256".getBytes(StandardCharsets.UTF_8));
        i.write(0);
        i.writeInt(first.length);
        i.write(first);
        send('p', initial.toByteArray());

        String serverFirst = new String(saslData(AUTH_SASL_CONTINUE), StandardCharsets.UTF_8);
        Map<String, String> attributes = scramAttributes(serverFirst);
        String nonce = attributes.get("r");
        if (nonce == null || !nonce.startsWith(clientFirstBare.substring(5)) || attributes.get("s") == null) {
            throw new IOException("PgBouncer's SCRAM answer is not one this client asked for");
        }
        byte[] salt = Base64.getDecoder().decode(attributes.get("s"));
        int iterations = Integer.parseInt(attributes.getOrDefault("i", "0"));
        if (iterations < 1 || iterations > 1_000_000) {
            throw new IOException("PgBouncer's SCRAM iteration count " + iterations + " is out of bounds");
        }
        byte[] salted = SALTED.computeIfAbsent(
                attributes.get("s") + ":" + iterations + ":" + password,
                k -> Secrets.Scram.hi(password, salt, iterations));
        String finalWithoutProof = "c=biws,r=" + nonce;
        byte[] authMessage =
                (clientFirstBare + "," + serverFirst + "," + finalWithoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] clientKey = Secrets.Scram.hmac(salted, "Client Key");
        byte[] signature = Secrets.Scram.hmac(Secrets.Scram.sha256(clientKey), authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int k = 0; k < proof.length; k++) {
            proof[k] = (byte) (clientKey[k] ^ signature[k]);
        }
        send(
                'p',
                (finalWithoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
                        .getBytes(StandardCharsets.UTF_8));

        String serverFinal = new String(saslData(AUTH_SASL_FINAL), StandardCharsets.UTF_8);
        byte[] expected = Secrets.Scram.hmac(Secrets.Scram.hmac(salted, "Server Key"), authMessage);
        String verifier = scramAttributes(serverFinal).get("v");
        if (verifier == null
                || !MessageDigest.isEqual(expected, Base64.getDecoder().decode(verifier))) {
            throw new IOException("PgBouncer at " + socket.getRemoteSocketAddress() + " could not prove it knows"
                    + " the deployment's password; not using it");
        }
        if (authRequest() != AUTH_OK) {
            throw new IOException("PgBouncer did not accept the console's login");
        }
    }

    /** The next authentication request's code; an error answer is thrown with its message. */
    private int authRequest() throws IOException {
        byte[] payload = saslMessage();
        return readInt(payload);
    }

    /** The data of a SASL continue or final request. */
    private byte[] saslData(int expected) throws IOException {
        byte[] payload = saslMessage();
        if (readInt(payload) != expected) {
            throw new IOException("PgBouncer's SCRAM exchange went out of order");
        }
        return java.util.Arrays.copyOfRange(payload, 4, payload.length);
    }

    private byte[] saslMessage() throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 4 || length > 65_536) {
            throw new IOException("PgBouncer sent a message of " + length + " bytes during login");
        }
        byte[] payload = new byte[length - 4];
        in.readFully(payload);
        if (type == 'E') {
            throw new IOException("PgBouncer refused the console's login: " + message(payload));
        }
        if (type != 'R' || payload.length < 4) {
            throw new IOException("PgBouncer sent '" + (char) type + "' during login");
        }
        return payload;
    }

    private static Map<String, String> scramAttributes(String message) {
        Map<String, String> attributes = new java.util.HashMap<>();
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                attributes.put(part.substring(0, 1), part.substring(2));
            }
        }
        return attributes;
    }

    private void send(char type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(4 + body.length);
        out.write(body);
        out.flush();
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
