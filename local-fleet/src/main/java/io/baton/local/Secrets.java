package io.baton.local;

import io.baton.common.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The passwords of each deployment of the local cloud, made the first time the deployment needs one: the
 * administrator's (PostgreSQL's {@code postgres}, MariaDB's {@code root}, also used for replication and PgBouncer's
 * console) and the application's ({@code app}). They live in {@code secrets/<deployment>.properties} under the
 * fleet's root, a file only this process's user can read, in a directory only it can enter. Servers are given them
 * as their own formats ask (a SCRAM verifier, a password hash, a pgpass file of the server's user), never on a
 * command line, and nothing here logs them.
 */
public final class Secrets {

    /** What a generated password is made of: 32 random bytes, URL-safe Base64 (no quote, colon or backslash). */
    private static final Pattern PASSWORD = Pattern.compile("[A-Za-z0-9_-]{43}");

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final int SCRAM_ITERATIONS = 4096;

    /**
     * Each deployment's passwords as last read, with the file's modification time: a switchover's fence asks for them
     * on every connection it opens, and a file not changed since need not be read and checked again.
     */
    private static final Map<Path, Read> READ = new java.util.concurrent.ConcurrentHashMap<>();

    private record Read(java.nio.file.attribute.FileTime modified, Credentials credentials) {}

    private final Path dir;

    Secrets(Path root) {
        this.dir = root.resolve("secrets");
    }

    /** A login: who and with which password. */
    public record Login(String engine, String user, String password) {

        @Override
        public String toString() {
            // a login in a log or an exception message shows who, never the password
            return user + " (" + engine + ")";
        }
    }

    /** The passwords of one deployment. */
    public record Credentials(String deployment, String engine, String adminPassword, String appPassword) {

        public Login admin() {
            return new Login(engine, Engines.MARIADB.equals(engine) ? "root" : "postgres", adminPassword);
        }

        public Login app() {
            return new Login(engine, PostgresServers.APP_USER, appPassword);
        }

        @Override
        public String toString() {
            return "the credentials of " + deployment;
        }
    }

    /**
     * The deployment's passwords, made now if it has none. Two processes that make them at once end with the same:
     * the file is linked into place only if no other is there, and the loser reads the winner's.
     */
    public Credentials of(String deployment, String engine) throws IOException {
        ConfigValues.label("deployment", deployment);
        Path file = dir.resolve(deployment + ".properties");
        Read known = READ.get(file);
        if (known != null && Files.exists(file) && known.modified().equals(Files.getLastModifiedTime(file))) {
            return known.credentials();
        }
        if (!Files.exists(file)) {
            OwnerOnly.directory(dir);
            Map<String, String> values = new LinkedHashMap<>();
            values.put("engine", Engines.of(engine));
            values.put("admin.password", newPassword());
            values.put("app.password", newPassword());
            Path draft = Files.createTempFile(dir, deployment, ".draft");
            try {
                OwnerOnly.writeProperties(draft, values, "passwords of the deployment " + deployment);
                Files.createLink(file, draft);
            } catch (FileAlreadyExistsException madeByAnother) {
                // the other process's passwords are the deployment's
            } finally {
                Files.deleteIfExists(draft);
            }
        }
        java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(file);
        Map<String, String> values = OwnerOnly.readProperties(file);
        String admin = values.get("admin.password");
        String app = values.get("app.password");
        if (admin == null
                || app == null
                || !PASSWORD.matcher(admin).matches()
                || !PASSWORD.matcher(app).matches()) {
            throw new IOException(file + " does not hold the deployment's passwords in their form; restore it from"
                    + " a backup (the servers keep their passwords)");
        }
        Credentials credentials =
                new Credentials(deployment, values.getOrDefault("engine", Engines.of(engine)), admin, app);
        READ.put(file, new Read(modified, credentials));
        return credentials;
    }

    /** The deployment's passwords for a server of it. */
    public Credentials of(Instance server) throws IOException {
        return of(server.deployment(), server.engine());
    }

    private static String newPassword() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * A SCRAM-SHA-256 verifier as PostgreSQL stores it ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}):
     * given to CREATE ROLE and to PgBouncer's auth file, so that no statement and no file but the secrets file
     * holds the password itself. {@code salt} is the deployment's (one verifier per password, the same everywhere:
     * PgBouncer can then log in to the server with the keys of a client's SCRAM exchange).
     */
    public static String scramVerifier(String password, byte[] salt) {
        byte[] salted = Scram.hi(password, salt, SCRAM_ITERATIONS);
        byte[] clientKey = Scram.hmac(salted, "Client Key");
        byte[] storedKey = Scram.sha256(clientKey);
        byte[] serverKey = Scram.hmac(salted, "Server Key");
        Base64.Encoder b64 = Base64.getEncoder();
        return "SCRAM-SHA-256$" + SCRAM_ITERATIONS + ":" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey);
    }

    /** A salt derived from the password (so that a verifier is the same each time it is made). */
    public static byte[] saltOf(String password) {
        byte[] digest = Scram.sha256(("baton-salt:" + password).getBytes(StandardCharsets.UTF_8));
        return java.util.Arrays.copyOf(digest, 16);
    }

    /** The verifier of a password with its derived salt. */
    public static String scramVerifier(String password) {
        return scramVerifier(password, saltOf(password));
    }

    /** MariaDB's mysql_native_password hash ({@code *} and the hex of SHA1(SHA1(password))), for IDENTIFIED BY PASSWORD. */
    public static String mariadbHash(String password) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
            return "*" + HexFormat.of().formatHex(sha1.digest(once)).toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /** The parts of SCRAM-SHA-256 (RFC 5802, RFC 7677) that both the verifier and a client need. */
    static final class Scram {

        private Scram() {}

        /** Hi(): PBKDF2 with HMAC-SHA-256 and one block. Generated passwords are ASCII, so SASLprep leaves them. */
        static byte[] hi(String password, byte[] salt, int iterations) {
            byte[] key = password.getBytes(StandardCharsets.UTF_8);
            byte[] first = new byte[salt.length + 4];
            System.arraycopy(salt, 0, first, 0, salt.length);
            first[first.length - 1] = 1;
            byte[] u = hmac(key, first);
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = hmac(key, u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        }

        static byte[] hmac(byte[] key, String text) {
            return hmac(key, text.getBytes(StandardCharsets.UTF_8));
        }

        static byte[] hmac(byte[] key, byte[] data) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac.doFinal(data);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }

        static byte[] sha256(byte[] data) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(data);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }
}
