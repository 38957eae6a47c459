package io.baton.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether this machine has the database servers the local cloud runs. Without them the tests that need them are
 * skipped, unless BATON_REQUIRE_REAL is set (CI sets it), where a missing tool is a failure.
 */
public final class RealServers {

    private RealServers() {}

    public static void assumeInstalled(String engine) {
        List<String> tools = Engines.MARIADB.equals(engine)
                ? List.of("mariadbd", "mariadb-install-db", "mariadb-backup")
                : List.of(
                        LocalFleet.Settings.defaults()
                                .postgresBin()
                                .resolve("initdb")
                                .toString(),
                        "pgbouncer");
        List<String> missing = tools.stream().filter(t -> !Os.installed(t)).toList();
        if (System.getenv("BATON_REQUIRE_REAL") != null && !missing.isEmpty()) {
            throw new AssertionError("BATON_REQUIRE_REAL is set but " + missing + " are not installed");
        }
        assumeTrue(missing.isEmpty(), () -> missing + " not installed; see .ci/run for the packages");
    }

    /** A fresh root under /tmp, which the servers' unprivileged users can reach. */
    public static Path freshRoot(String name) throws IOException {
        Path root = Files.createTempDirectory(Path.of("/tmp"), "baton-" + name + "-");
        return root;
    }
}
