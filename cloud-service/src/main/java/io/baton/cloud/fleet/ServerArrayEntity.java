package io.baton.cloud.fleet;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

@Entity
@Table(name = "server_array", indexes = @Index(name = "server_array_deployment", columnList = "deployment"))
public class ServerArrayEntity {

    /** {@code <deployment>/<name>} */
    @Id
    public String id;

    public String deployment;
    public String name;
    public String serverTemplate;
    public Integer templateRevision;
    public boolean enabled;
}
