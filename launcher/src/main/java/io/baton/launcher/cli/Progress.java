package io.baton.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;

/**
 * Prints an upgrade's progress as it happens, from successive reads of its timeline: each step's start, end and
 * duration, each compensation, the switchover's proof and the drain's figures, then how it ended. A line is printed
 * once, however often the same timeline is read.
 */
final class Progress {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final PrintWriter out;
    private final Set<String> said = new HashSet<>();
    private String state;

    Progress(PrintWriter out) {
        this.out = out;
    }

    /** Prints what is new in {@code upgrade} since the last call. */
    void show(JsonNode upgrade) {
        if (said.add("header")) {
            out.printf(
                    "upgrade %s of %s (%s, %s): %d steps, %s since %s%n",
                    upgrade.path("id").asText(),
                    upgrade.path("deployment").asText(),
                    upgrade.path("kind").asText().toLowerCase(java.util.Locale.ROOT),
                    upgrade.path("classification").asText("?"),
                    upgrade.path("steps").size(),
                    upgrade.path("state").asText(),
                    upgrade.path("createdAt").asText("?"));
            if (upgrade.path("state").asText().equals("RUNNING")) {
                state = "RUNNING";
            }
        }
        int total = upgrade.path("steps").size();
        for (JsonNode step : upgrade.path("steps")) {
            int index = step.path("index").asInt();
            String name = step.path("name").asText();
            String label = String.format("step %d/%d %s", index + 1, total, name);
            Instant started = instant(step, "startedAt");
            Instant ended = instant(step, "endedAt");
            if (started != null && said.add(index + ":started")) {
                say(started, label + " (" + step.path("owner").asText() + ") started");
            }
            String outcome = step.path("outcome").asText("");
            if (ended != null && said.add(index + ":ended")) {
                say(
                        ended,
                        label + " " + outcome.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                                + took(started, ended) + details(name, step.path("details")));
            }
            Instant compensating = instant(step, "compensationStartedAt");
            Instant compensated = instant(step, "compensatedAt");
            if (compensating != null && said.add(index + ":compensating")) {
                say(compensating, label + " compensation started");
            }
            if (compensated != null && said.add(index + ":compensated")) {
                say(compensated, label + " compensated" + took(compensating, compensated));
            }
        }
        String now = upgrade.path("state").asText();
        if (!now.equals(state)) {
            state = now;
            Instant at = instant(upgrade, "endedAt");
            Instant changed = instant(upgrade, "updatedAt");
            String line = "upgrade " + now;
            if (at != null) {
                line += " in " + seconds(Duration.between(instant(upgrade, "createdAt"), at));
            }
            if (upgrade.hasNonNull("failure")) {
                line += ": " + upgrade.get("failure").asText();
            }
            if (now.equals("AWAITING_APPROVAL")) {
                line += ": ./baton upgrade approve " + upgrade.path("id").asText() + " (or abort)";
            }
            say(at != null ? at : changed != null ? changed : Instant.now(), line);
        }
        out.flush();
    }

    /** The figures worth a line of their own: the switchover's proof, the drain, migrations. */
    private static String details(String step, JsonNode d) {
        return switch (step) {
            case "PROMOTE" -> d.has("writeFenceMillis")
                    ? String.format(
                            "%n    switchover: old master's final position %s, new master applied %s (%s); writes held"
                                    + " %s ms",
                            d.path("oldMasterFinalPosition").asText("?"),
                            d.path("newMasterAppliedPosition").asText("?"),
                            d.path("oldMasterFinalPosition")
                                            .asText("")
                                            .equals(d.path("newMasterAppliedPosition")
                                                    .asText())
                                    ? "equal: nothing lost"
                                    : "NOT EQUAL",
                            d.path("writeFenceMillis").asText("?"))
                    : "";
            case "AWAIT_SESSIONS_DRAINED" -> d.has("drainMillis")
                    ? String.format(
                            "%n    drain: %s in %s ms, %s sessions cut",
                            d.path("drained").asBoolean() ? "drained" : "deadline passed",
                            d.path("drainMillis").asText(),
                            d.path("sessionsCut").asText("0"))
                    : "";
            case "AWAIT_CATCH_UP" -> d.has("catchUpMillis")
                    ? String.format(
                            "%n    caught up in %s ms", d.path("catchUpMillis").asText())
                    : "";
            case "RUN_MIGRATIONS" -> d.has("migrationsApplied")
                    ? String.format(
                            "%n    migrations: %s applied, %s run, %s lock timeouts",
                            d.path("migrationsApplied").asText(),
                            d.path("migrationsRun").asText(),
                            d.path("lockTimeouts").asText("0"))
                    : "";
            default -> "";
        };
    }

    private void say(Instant at, String line) {
        out.println(CLOCK.format(at) + "  " + line);
    }

    private static String took(Instant from, Instant to) {
        return from == null || to == null ? "" : " in " + seconds(Duration.between(from, to));
    }

    private static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    private static Instant instant(JsonNode node, String field) {
        return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
    }
}
