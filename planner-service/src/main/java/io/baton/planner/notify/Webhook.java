package io.baton.planner.notify;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Someone to tell when an upgrade waits for approval or ends: of one deployment, or of every one (null). */
@Entity
@Table(name = "webhook")
public class Webhook {

    @Id
    public String id;

    public String deployment;
    public String url;

    /** The HMAC key the deliveries are signed with; never shown again after it was set. */
    public String secret;

    public String createdBy;
    public Instant createdAt;
}
