package io.baton.contracts;

import io.baton.contracts.api.Limits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Objects;

/**
 * The cloud configuration of a server. In a requested change, a null field means "keep what the server has".
 *
 * @param engine the database engine the template installs ({@code postgresql}, {@code mariadb}) or {@code null}
 */
public record ServerConfig(
        @Size(min = 1, max = Limits.TEXT) String serverTemplate,
        @Positive Integer templateRevision,
        @Size(min = 1, max = Limits.TEXT) String cloud,
        @Size(min = 1, max = Limits.TEXT) String region,
        @Size(min = 1, max = Limits.TEXT) String zone,
        @Size(min = 1, max = Limits.TEXT) String instanceSize,
        @Size(max = Limits.ENTRIES) List<@NotBlank @Size(max = Limits.TEXT) String> securityGroups,
        @Size(min = 1, max = Limits.TEXT) String sshKey,
        @Size(min = 1, max = Limits.TEXT) String image,
        @Size(min = 1, max = Limits.TEXT) String engine) {

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
