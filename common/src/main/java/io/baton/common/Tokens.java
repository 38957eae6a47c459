package io.baton.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Bearer tokens for a Baton that has no identity provider: an RSA key pair the local stack generates once (the signing
 * half readable by its owner only), and RS256 JSON Web Tokens signed with it that carry the caller's name and roles.
 * The services verify them with the public half; with an identity provider they verify its tokens instead and this
 * class is not used.
 */
public final class Tokens {

    /** The {@code iss} of tokens minted here; the services accept no other unless configured to. */
    public static final String LOCAL_ISSUER = "baton-local";

    /** The two halves of the local key, as PEM files. */
    public record Keys(Path signing, Path verifying) {}

    private Tokens() {}

    /** The key pair in {@code dir}, generated on first use: a directory and a signing key only the owner can read. */
    public static synchronized Keys keys(Path dir) throws IOException {
        Keys keys = new Keys(dir.resolve("signing-key.pem"), dir.resolve("verify-key.pem"));
        if (Files.exists(keys.signing()) && Files.exists(keys.verifying())) {
            return keys;
        }
        OwnerOnly.directory(dir);
        KeyPair pair = generate();
        Files.writeString(keys.verifying(), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        OwnerOnly.write(keys.signing(), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        return keys;
    }

    /** A token for {@code subject} with {@code roles}, valid for {@code ttl}, signed with the key at {@code signing}. */
    public static String mint(Path signing, String subject, Collection<String> roles, Duration ttl) throws IOException {
        return mint(signingKey(signing), LOCAL_ISSUER, subject, roles, ttl, Instant.now());
    }

    public static String mint(
            PrivateKey key, String issuer, String subject, Collection<String> roles, Duration ttl, Instant now) {
        long issued = now.getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":" + quote(issuer) + ",\"sub\":" + quote(subject) + ",\"upn\":" + quote(subject)
                + ",\"groups\":[" + roles.stream().map(Tokens::quote).collect(Collectors.joining(","))
                + "],\"iat\":" + issued + ",\"exp\":" + (issued + ttl.toSeconds()) + ",\"jti\":"
                + quote(UUID.randomUUID().toString()) + "}";
        String unsigned =
                base64(header.getBytes(StandardCharsets.UTF_8)) + "." + base64(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(unsigned.getBytes(StandardCharsets.US_ASCII));
            return unsigned + "." + base64(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token with this key", e);
        }
    }

    public static PrivateKey signingKey(Path pem) throws IOException {
        String text = Files.readString(pem)
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(pem + " is not a PKCS#8 RSA private key in PEM", e);
        }
    }

    /** A fresh key that no Baton service trusts: for tests of forged tokens. */
    public static PrivateKey strangerKey() {
        return generate().getPrivate();
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate an RSA key", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
