package io.baton.cloud.fleet;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "server_array")
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
