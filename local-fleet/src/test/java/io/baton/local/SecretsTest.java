package io.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @TempDir
    Path root;

    @Test
    void eachDeploymentHasItsOwnPasswordsKeptForItsOwnerAlone() throws Exception {
        Secrets secrets = new Secrets(root);
        Secrets.Credentials shop = secrets.of("shop", Engines.POSTGRESQL);
        Secrets.Credentials blog = secrets.of("blog", Engines.MARIADB);

        assertThat(Set.of(shop.adminPassword(), shop.appPassword(), blog.adminPassword(), blog.appPassword()))
                .as("four different passwords")
                .hasSize(4)
                .allSatisfy(p -> assertThat(p).matches("[A-Za-z0-9_-]{43}"));
        assertThat(secrets.of("shop", Engines.POSTGRESQL))
                .as("kept, not made again")
                .isEqualTo(shop);
        assertThat(shop.admin().user()).isEqualTo("postgres");
        assertThat(blog.admin().user()).isEqualTo("root");
        assertThat(blog.app().user()).isEqualTo("app");

        assertThat(Files.getPosixFilePermissions(root.resolve("secrets")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (var files = Files.list(root.resolve("secrets"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("no draft left behind")
                    .containsExactlyInAnyOrder("shop.properties", "blog.properties");
        }
        assertThat(Files.getPosixFilePermissions(root.resolve("secrets/shop.properties")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(shop.toString() + shop.admin() + shop.app())
                .as("what a log or an exception may show")
                .doesNotContain(shop.adminPassword())
                .doesNotContain(shop.appPassword());
    }

    @Test
    void processesThatMakeThemAtOnceAllEndWithTheSame() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Secrets.Credentials>> makers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                makers.add(() -> new Secrets(root).of("race", Engines.POSTGRESQL));
            }
            Set<Secrets.Credentials> made = new java.util.HashSet<>();
            for (Future<Secrets.Credentials> f : pool.invokeAll(makers)) {
                made.add(f.get());
            }
            assertThat(made).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDamagedFileIsRefusedSayingWhatToDo() throws Exception {
        Secrets secrets = new Secrets(root);
        secrets.of("shop", Engines.POSTGRESQL);
        Files.writeString(root.resolve("secrets/shop.properties"), "admin.password=x\napp.password=\n");
        assertThatThrownBy(() -> secrets.of("shop", Engines.POSTGRESQL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("restore it");
        assertThatThrownBy(() -> secrets.of("../etc", Engines.POSTGRESQL))
                .as("a name that is no DNS label never becomes a path")
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The verifier PostgreSQL's own documentation and libpq compute for a known salt (RFC 7677's test vector). */
    @Test
    void theScramVerifierIsTheOnePostgresqlComputes() {
        // RFC 7677: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        String verifier = Secrets.scramVerifier("pencil", salt);
        byte[] salted = Secrets.Scram.hi("pencil", salt, 4096);
        // the RFC's ClientProof for its exchange follows from this SaltedPassword; its ServerSignature is
        // 6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] serverSignature = Secrets.Scram.hmac(
                Secrets.Scram.hmac(salted, "Server Key"),
                authMessage.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assertThat(verifier).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        assertThat(Secrets.scramVerifier("pencil")).isEqualTo(Secrets.scramVerifier("pencil"));
    }

    @Test
    void theMariadbHashIsMysqlNativePasswords() {
        // PASSWORD('password') in MariaDB
        assertThat(Secrets.mariadbHash("password")).isEqualTo("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
        assertThat(HexFormat.of().parseHex(Secrets.mariadbHash("x").substring(1)))
                .hasSize(20);
        assertThat(Set.of("a", "b").stream().map(Secrets::mariadbHash).collect(Collectors.toSet()))
                .hasSize(2);
    }
}
