package io.baton.launcher;

import io.baton.common.Tokens;
import io.baton.contracts.api.Roles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./baton token}: prints a bearer token that the local stack's services accept, signed by the key in
 * {@code .baton/keys} (made on first use, readable by its owner only). Only the token goes to standard output, so
 * that {@code TOKEN=$(./baton token --role operator)} works.
 */
final class Token {

    private Token() {}

    static int main(Path home, String[] args) throws Exception {
        List<String> roles = new ArrayList<>(List.of(Roles.VIEWER));
        String name = System.getProperty("user.name", "operator");
        Duration ttl = Duration.ofHours(8);
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--role", "--roles" -> {
                    if (value == null) {
                        return usage("--role needs one or more roles, comma separated");
                    }
                    roles = List.of(value.split(","));
                    i++;
                }
                case "--name" -> {
                    if (value == null || value.isBlank() || value.length() > 100) {
                        return usage("--name needs a name of at most 100 characters");
                    }
                    name = value;
                    i++;
                }
                case "--ttl" -> {
                    try {
                        ttl = Duration.parse(value == null ? "" : value);
                    } catch (DateTimeParseException e) {
                        return usage("--ttl is an ISO-8601 duration such as PT8H");
                    }
                    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(30)) > 0) {
                        return usage("--ttl is positive and at most P30D");
                    }
                    i++;
                }
                default -> {
                    return usage("unknown option " + args[i]);
                }
            }
        }
        for (String role : roles) {
            if (!Roles.ALL.contains(role)) {
                return usage("unknown role '" + role + "'");
            }
        }
        Path keys = Stack.keysDir(home.toAbsolutePath().normalize().resolve(".baton"));
        System.out.println(Tokens.mint(Tokens.keys(keys).signing(), name, roles, ttl));
        return 0;
    }

    private static int usage(String problem) {
        System.err.println("./baton token: " + problem);
        System.err.println("usage: ./baton token [--role R[,R...]] [--name NAME] [--ttl PT8H]   roles: "
                + String.join(", ", Roles.ALL));
        return 2;
    }
}
