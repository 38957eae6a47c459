package io.baton.planner.api;

import io.baton.contracts.Json;
import io.baton.contracts.api.Roles;
import io.baton.planner.upgrade.UpgradeFeed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;

/**
 * Upgrades as they change, as server-sent events: {@code hello} when the stream is open (read the list now: what
 * changes from here on follows), then {@code upgrade} with an upgrade's whole view each time one of its events is
 * recorded, and {@code ping} every 15 s so that proxies keep the connection. Needs the viewer role, like the list.
 */
@Path("/upgrades/stream")
public class UpgradeStream {

    private final UpgradeFeed feed;

    public UpgradeStream(UpgradeFeed feed) {
        this.feed = feed;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context SseEventSink sink, @Context Sse sse) {
        OutboundSseEvent hello = sse.newEventBuilder().name("hello").data("{}").build();
        Multi<OutboundSseEvent> pings = Multi.createFrom()
                .ticks()
                .startingAfter(PING)
                .every(PING)
                .map(n -> sse.newEventBuilder().name("ping").data("{}").build());
        Cancellable[] subscription = new Cancellable[1];
        // one subscriber sends everything, one event after another: the sink takes one write at a time
        subscription[0] = feed.watch(changes -> Multi.createBy()
                .concatenating()
                .streams(
                        Multi.createFrom().item(hello),
                        Multi.createBy()
                                .merging()
                                .streams(
                                        changes.map(u -> sse.newEventBuilder()
                                                .name("upgrade")
                                                .id(u.id())
                                                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                                                .data(Json.write(u))
                                                .build()),
                                        pings))
                .subscribe()
                .with(
                        event -> {
                            if (sink.isClosed()) {
                                cancel(subscription);
                            } else {
                                sink.send(event).exceptionally(e -> {
                                    cancel(subscription);
                                    return null;
                                });
                            }
                        },
                        failure -> sink.close()));
    }

    private static final Duration PING = Duration.ofSeconds(15);

    private static void cancel(Cancellable[] subscription) {
        if (subscription[0] != null) {
            subscription[0].cancel();
        }
    }
}
