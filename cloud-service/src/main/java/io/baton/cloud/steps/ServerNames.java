package io.baton.cloud.steps;

import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.ServerView;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ids and names of the servers a saga creates. */
final class ServerNames {

    private static final Pattern NUMBERED = Pattern.compile("^(.*?)(\\d+)$");

    private ServerNames() {}

    /** The same id for the same upgrade and purpose every time: a step run again finds its server. */
    static String id(String upgradeId, String purpose) {
        return UUID.nameUUIDFromBytes((upgradeId + "/" + purpose).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** The next name in the deployment's series, as the runbook does it: db-1, db-2, then db-3. */
    static String nextName(DeploymentView deployment, ServerView like) {
        Matcher m = NUMBERED.matcher(like.name());
        String prefix = m.matches() ? m.group(1) : like.name() + "-";
        int max = 1;
        for (ServerView s : deployment.servers()) {
            if (s.name().startsWith(prefix)) {
                String rest = s.name().substring(prefix.length());
                if (rest.matches("\\d+")) {
                    max = Math.max(max, Integer.parseInt(rest));
                }
            }
        }
        return prefix + (max + 1);
    }
}
