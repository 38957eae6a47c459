package io.baton.cloud.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import io.baton.contracts.Json;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import io.baton.contracts.fleet.ServerView;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

@Entity
@Table(name = "server")
public class ServerEntity {

    @Id
    public String id;

    public String deployment;
    public String name;

    @Enumerated(EnumType.STRING)
    public Role role;

    public String serverTemplate;
    public Integer templateRevision;
    public String cloud;
    public String region;
    public String zone;
    public String instanceSize;
    /** Comma-separated. */
    public String securityGroups;

    public String sshKey;
    public String image;
    public String engine;

    @Enumerated(EnumType.STRING)
    public ServerState state;

    public String address;
    public String replicaOf;

    @Column(columnDefinition = "text")
    public String inputs;

    @Column(columnDefinition = "text")
    public String alerts;

    public String createdBy;
    public Instant createdAt;

    static ServerEntity of(String id, String deployment, String name, Role role, ServerConfig c) {
        ServerEntity e = new ServerEntity();
        e.id = id;
        e.deployment = deployment;
        e.name = name;
        e.role = role;
        e.serverTemplate = c.serverTemplate();
        e.templateRevision = c.templateRevision();
        e.cloud = c.cloud();
        e.region = c.region();
        e.zone = c.zone();
        e.instanceSize = c.instanceSize();
        e.securityGroups = c.securityGroups() == null ? null : String.join(",", c.securityGroups());
        e.sshKey = c.sshKey();
        e.image = c.image();
        e.engine = c.engine();
        e.createdAt = Instant.now();
        return e;
    }

    /** Moves the server on in its life; refuses a move the life of a server does not have. */
    void moveTo(ServerState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException(name + " is " + state + " and cannot become " + next);
        }
        state = next;
    }

    ServerConfig config() {
        return new ServerConfig(
                serverTemplate,
                templateRevision,
                cloud,
                region,
                zone,
                instanceSize,
                securityGroups == null || securityGroups.isBlank()
                        ? List.of()
                        : Arrays.asList(securityGroups.split(",")),
                sshKey,
                image,
                engine);
    }

    ServerView view() {
        return new ServerView(
                id,
                name,
                role,
                config(),
                state,
                address,
                replicaOf,
                Json.read(inputs == null ? "{}" : inputs, new TypeReference<Map<String, String>>() {}),
                Json.read(alerts == null ? "[]" : alerts, new TypeReference<List<String>>() {}),
                createdBy);
    }
}
