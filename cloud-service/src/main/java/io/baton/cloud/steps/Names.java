package io.baton.cloud.steps;

import java.util.LinkedHashSet;
import java.util.Set;

/** Reads the server names out of a {@code name=address,name=address} fact. */
final class Names {

    private Names() {}

    static Set<String> of(String fact) {
        Set<String> names = new LinkedHashSet<>();
        if (fact != null && !fact.isBlank()) {
            for (String entry : fact.split(",")) {
                names.add(entry.split("=", 2)[0].trim());
            }
        }
        return names;
    }
}
