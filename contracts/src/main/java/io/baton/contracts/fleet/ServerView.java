package io.baton.contracts.fleet;

import io.baton.contracts.ServerConfig;
import java.util.List;
import java.util.Map;

/**
 * A server as the cloud inventory knows it.
 *
 * @param replicaOf for a database slave, the id of the server it replicates from
 * @param createdBy the upgrade that created it, null for servers registered by an operator
 */
public record ServerView(
        String id,
        String name,
        Role role,
        ServerConfig config,
        ServerState state,
        String address,
        String replicaOf,
        Map<String, String> inputs,
        List<String> alerts,
        String createdBy) {}
