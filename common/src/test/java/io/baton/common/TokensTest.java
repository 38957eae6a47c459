package io.baton.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    @TempDir
    Path dir;

    @Test
    void the_signing_key_is_the_owners_alone_and_generated_once() throws Exception {
        Tokens.Keys keys = Tokens.keys(dir.resolve("keys"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.signing())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys"))))
                .isEqualTo("rwx------");
        String first = Files.readString(keys.signing());
        assertThat(Files.readString(Tokens.keys(dir.resolve("keys")).signing())).isEqualTo(first);
    }

    @Test
    void a_token_is_signed_by_the_key_and_carries_name_roles_and_expiry() throws Exception {
        Tokens.Keys keys = Tokens.keys(dir);
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        String token = Tokens.mint(
                Tokens.signingKey(keys.signing()),
                Tokens.LOCAL_ISSUER,
                "ann \"the\" sre",
                List.of("viewer", "operator"),
                Duration.ofHours(1),
                now);
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(publicKey(keys.verifying()));
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims)
                .contains("\"sub\":\"ann \\\"the\\\" sre\"")
                .contains("\"groups\":[\"viewer\",\"operator\"]")
                .contains("\"iss\":\"baton-local\"")
                .contains("\"exp\":" + (now.getEpochSecond() + 3600));
    }

    @Test
    void control_characters_are_escaped() {
        assertThat(Tokens.quote("a\nb\\")).isEqualTo("\"a\\u000ab\\\\\"");
    }

    private static PublicKey publicKey(Path pem) throws Exception {
        String text = Files.readString(pem)
                .replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text)));
    }
}
