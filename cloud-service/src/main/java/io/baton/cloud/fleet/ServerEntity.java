package io.baton.cloud.fleet;

import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerState;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "server", indexes = @Index(name = "server_deployment", columnList = "deployment"))
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
}
