package io.baton.contracts;

import java.util.List;
import java.util.Objects;

/**
 * The cloud configuration of a server. In a requested change, a null field means "keep what the server has".
 *
 * @param engine the database engine the template installs ({@code postgresql}, {@code mariadb}) or {@code null}
 */
public record ServerConfig(
        String serverTemplate,
        Integer templateRevision,
        String cloud,
        String region,
        String zone,
        String instanceSize,
        List<String> securityGroups,
        String sshKey,
        String image,
        String engine) {

    public ServerConfig {
        securityGroups = securityGroups == null ? null : List.copyOf(securityGroups);
    }

    /** This configuration with every non-null field of {@code change} applied. */
    public ServerConfig apply(ServerConfig change) {
        return new ServerConfig(
                or(change.serverTemplate, serverTemplate),
                or(change.templateRevision, templateRevision),
                or(change.cloud, cloud),
                or(change.region, region),
                or(change.zone, zone),
                or(change.instanceSize, instanceSize),
                or(change.securityGroups, securityGroups),
                or(change.sshKey, sshKey),
                or(change.image, image),
                or(change.engine, engine));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    public boolean sameAs(ServerConfig other) {
        return Objects.equals(this, other);
    }
}
