package io.baton.lb.steps;

import io.baton.lb.balancer.LoadBalancer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The balancer chosen by {@code baton.lb.driver}, and the servers an upgrade names in its facts: cloud-service writes
 * {@code oldServers} and {@code newServers} as {@code name=address,name=address}.
 */
@ApplicationScoped
public class Members {

    public static final String OLD_SERVERS = "oldServers";
    public static final String NEW_SERVERS = "newServers";

    private final Instance<LoadBalancer> balancers;

    public Members(Instance<LoadBalancer> balancers) {
        this.balancers = balancers;
    }

    public LoadBalancer balancer() {
        return balancers.get();
    }

    static Map<String, String> parse(String fact) {
        Map<String, String> servers = new LinkedHashMap<>();
        if (fact == null || fact.isBlank()) {
            return servers;
        }
        for (String entry : fact.split(",")) {
            String[] pair = entry.split("=", 2);
            servers.put(pair[0].trim(), pair.length > 1 ? pair[1].trim() : "");
        }
        return servers;
    }
}
