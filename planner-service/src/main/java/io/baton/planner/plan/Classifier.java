package io.baton.planner.plan;

import io.baton.contracts.Classification;
import io.baton.contracts.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The decision tree of the database runbook, in its order: a different server template, or another revision of it,
 * or a different cloud/region is a major change (add a new server); a change of instance size, zone, security groups,
 * SSH key or machine image alone is minor (clone the slave and edit it); a change that matches what the servers
 * already have is nothing to do.
 */
public final class Classifier {

    private Classifier() {}

    public static Decision classify(ServerConfig current, ServerConfig change) {
        List<String> changed = changedFields(current, change);
        if (differs(change.serverTemplate(), current.serverTemplate())) {
            return new Decision(
                    Classification.MAJOR,
                    "a different server template ('" + current.serverTemplate() + "' to '" + change.serverTemplate()
                            + "'): import it (needs the 'library' role) and add a new server from it",
                    changed);
        }
        if (differs(change.templateRevision(), current.templateRevision())) {
            String direction = change.templateRevision() > nz(current.templateRevision()) ? "newer" : "older";
            return new Decision(
                    Classification.MAJOR,
                    "a " + direction + " revision of '" + current.serverTemplate() + "' (" + current.templateRevision()
                            + " to " + change.templateRevision()
                            + "): import it (needs the 'library' role) and add a new server from it",
                    changed);
        }
        if (differs(change.cloud(), current.cloud()) || differs(change.region(), current.region())) {
            return new Decision(
                    Classification.MAJOR,
                    "a different cloud/region (" + current.cloud() + "/" + current.region() + " to "
                            + or(change.cloud(), current.cloud()) + "/" + or(change.region(), current.region())
                            + "): add a new server there",
                    changed);
        }
        if (!changed.isEmpty()) {
            return new Decision(
                    Classification.MINOR,
                    "only " + String.join(", ", changed) + " change: clone the slave and edit it",
                    changed);
        }
        return new Decision(
                null, "the servers already have every value in the change; there is nothing to upgrade", changed);
    }

    private static List<String> changedFields(ServerConfig current, ServerConfig change) {
        List<String> changed = new ArrayList<>();
        add(changed, "serverTemplate", change.serverTemplate(), current.serverTemplate());
        add(changed, "templateRevision", change.templateRevision(), current.templateRevision());
        add(changed, "cloud", change.cloud(), current.cloud());
        add(changed, "region", change.region(), current.region());
        add(changed, "instanceSize", change.instanceSize(), current.instanceSize());
        add(changed, "zone", change.zone(), current.zone());
        if (change.securityGroups() != null && current.securityGroups() != null
                ? !new java.util.TreeSet<>(change.securityGroups())
                        .equals(new java.util.TreeSet<>(current.securityGroups()))
                : change.securityGroups() != null) {
            changed.add("securityGroups");
        }
        add(changed, "sshKey", change.sshKey(), current.sshKey());
        add(changed, "image", change.image(), current.image());
        return changed;
    }

    private static void add(List<String> changed, String field, Object wanted, Object current) {
        if (differs(wanted, current)) {
            changed.add(field);
        }
    }

    private static boolean differs(Object wanted, Object current) {
        return wanted != null && !Objects.equals(wanted, current);
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }
}
