package io.baton.saga;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Events that came before their upgrade's request: acted on once the request is recorded (when another poll than
 * the one that parked them recorded it), dead-lettered when it has not come within {@code baton.saga.park-timeout}.
 */
@ApplicationScoped
public class ParkedEvents {

    private static final Logger LOG = Logger.getLogger(ParkedEvents.class);

    static final String NEVER_REQUESTED =
            "no event of the planner (its upgrade-requested) introduced its upgrade; an event of an upgrade this"
                    + " service never saw requested is not acted on";

    private final Tx tx;
    private final Choreography choreography;
    private final DeadLetters deadLetters;
    private final SagaConfig config;

    public ParkedEvents(Tx tx, Choreography choreography, DeadLetters deadLetters, SagaConfig config) {
        this.tx = tx;
        this.choreography = choreography;
        this.deadLetters = deadLetters;
        this.config = config;
    }

    @Scheduled(
            every = "${baton.saga.park-sweep}",
            delayed = "${baton.saga.park-sweep}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        List<String> requested = tx.run(s -> s.createNativeQuery(
                        "select distinct p.upgrade_id from parked_event p join saga_plan r on r.upgrade_id ="
                                + " p.upgrade_id order by 1 limit 100",
                        String.class)
                .getResultList());
        if (!requested.isEmpty()) {
            LOG.infof("acting on the parked events of %d upgrade(s) whose request has come", requested.size());
            deadLetters.sendParked(choreography.resume(requested), Choreography.ANOTHER_PLAN);
        }
        Instant before = Instant.now().minus(config.parkTimeout());
        List<Received> expired = tx.run(s -> s.createNativeQuery(
                        "delete from parked_event p where p.parked_at < :before and not exists (select 1 from"
                                + " saga_plan r where r.upgrade_id = p.upgrade_id)"
                                + " returning p.event_id, p.type, p.payload, p.topic, p.seq",
                        Object[].class)
                .setParameter("before", before)
                .getResultList()
                .map(Plans::received));
        deadLetters.sendParked(expired, NEVER_REQUESTED);
    }
}
