package io.baton.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.ApplicationUpgrade;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.Phase;
import io.baton.contracts.RoutingSlip;
import io.baton.contracts.SagaEvent;
import io.baton.contracts.SlipStep;
import io.baton.contracts.StepName;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.UpgradeSpec;
import io.baton.infra.BatonTestInfra;
import io.baton.infra.KafkaProbe;
import io.baton.lb.balancer.LoadBalancer;
import io.baton.lb.sim.SimLoadBalancer;
import io.baton.saga.Executions;
import io.baton.saga.RefusedRuns;
import io.baton.saga.StepExecution;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_lb"))
class LbSagaTest {

    @Inject
    SimLoadBalancer lb;

    @Inject
    RefusedRuns refusedRuns;

    @Inject
    Executions executions;

    @Inject
    io.baton.saga.StepRunner runner;

    @Inject
    io.baton.saga.Tx tx;

    @Inject
    io.baton.saga.FaultInjector faults;

    @Inject
    io.baton.saga.OutboxRelay relay;

    static SagaEvent requested(String deployment, ApplicationUpgrade.DrainMode drainBy, Duration ttl) {
        List<StepName> names = List.of(
                StepName.ATTACH_NEW_SERVERS,
                StepName.DRAIN_OLD_SERVERS,
                StepName.AWAIT_SESSIONS_DRAINED,
                StepName.DETACH_OLD_SERVERS,
                StepName.SMOKE_TEST);
        List<SlipStep> steps = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            steps.add(SlipStep.pending(i, names.get(i), false));
        }
        ApplicationUpgrade app = new ApplicationUpgrade(
                "https://git/x.git",
                "v2",
                Map.of(),
                null,
                List.of(),
                ttl,
                drainBy,
                new ApplicationUpgrade.SmokeTest("/health", 200));
        RoutingSlip slip = new RoutingSlip(
                steps,
                Map.of(
                        "oldServers", "app-1=app-1:80,app-2=app-2:80",
                        "newServers", "app-3=app-3:80,app-4=app-4:80"));
        return new SagaEvent(
                UUID.randomUUID().toString(),
                deployment,
                UpgradeKind.APPLICATION,
                Phase.REQUESTED,
                -1,
                null,
                slip,
                new UpgradeSpec(null, app, false),
                Instant.now());
    }

    /** Publishes the planner's request of an upgrade, as the planner would. */
    static void request(KafkaProbe kafka, SagaEvent request) {
        kafka.sendCloudEvent(
                Owner.PLANNER.topic(),
                request.upgradeId(),
                request.type(Owner.PLANNER),
                Owner.PLANNER.source(),
                Json.write(request));
    }

    /** The first event of this type about the upgrade on lb-service's topic, once it is there. */
    static SagaEvent awaitEvent(KafkaProbe kafka, String upgradeId, String type, Duration timeout) {
        return kafka
                .await(
                        rs -> rs.stream()
                                .anyMatch(r ->
                                        upgradeId.equals(r.key()) && r.type().equals(type)),
                        timeout,
                        Owner.LB.topic())
                .stream()
                .filter(r -> upgradeId.equals(r.key()) && r.type().equals(type))
                .map(r -> Json.read(r.value(), SagaEvent.class))
                .findFirst()
                .orElseThrow();
    }

    SagaEvent run(String deployment, ApplicationUpgrade.DrainMode drainBy, Duration ttl, Duration session) {
        lb.addReady(deployment, "app-1", "app-1:80");
        lb.addReady(deployment, "app-2", "app-2:80");
        lb.open(deployment, session);
        lb.open(deployment, session);
        SagaEvent requested = requested(deployment, drainBy, ttl);
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            request(kafka, requested);
            return awaitEvent(kafka, requested.upgradeId(), "baton.lb.smoke-test-passed.v1", Duration.ofSeconds(60));
        }
    }

    @Test
    void replacesTheOldServersOnceTheirSessionsEnded() {
        String deployment = "lb-" + UUID.randomUUID().toString().substring(0, 8);
        SagaEvent done = run(
                deployment, ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(5), Duration.ofMillis(1500));
        Map<String, String> facts = done.slip().facts();
        assertThat(facts).containsEntry("drained", "true").containsEntry("sessionsCut", "0");
        assertThat(Long.parseLong(facts.get("drainMillis")))
                .as("until the sessions ended, not the TTL")
                .isLessThan(60_000);
        assertThat(lb.members(deployment))
                .extracting(LoadBalancer.Member::server)
                .containsExactly("app-3", "app-4");
        assertThat(lb.members(deployment)).allMatch(m -> m.state() == LoadBalancer.State.READY && m.healthy());
    }

    @Test
    void aDrainPastTheTtlReportsTheSessionsItCut() {
        String deployment = "lb-ttl-" + UUID.randomUUID().toString().substring(0, 8);
        SagaEvent done = run(
                deployment,
                ApplicationUpgrade.DrainMode.HEALTH_CHECK_FILE,
                Duration.ofMillis(300),
                Duration.ofMinutes(10));
        assertThat(done.slip().facts()).containsEntry("drained", "false").containsEntry("sessionsCut", "2");
    }

    /**
     * The broker refuses the report of a done step for good (a record too large): the step is undone, as a failed one
     * would be, and reported failed with the broker's reason in an event made from the slip it started with, so the
     * saga rolls back instead of waiting. Told twice (a restart tells again), it acts once.
     */
    @Test
    void aDoneStepWhoseReportTheBrokerRefusedIsUndoneAndReportedFailed() {
        String deployment = "lb-refused-" + UUID.randomUUID().toString().substring(0, 8);
        lb.addReady(deployment, "app-1", "app-1:80");
        lb.addReady(deployment, "app-2", "app-2:80");
        SagaEvent requested = requested(deployment, ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(1));
        // the attach is followed by a step of cloud-service, which does not run here: the saga stops after it
        List<SlipStep> steps = List.of(
                SlipStep.pending(0, StepName.ATTACH_NEW_SERVERS, false),
                SlipStep.pending(1, StepName.UPDATE_ARRAY, false));
        SagaEvent request = new SagaEvent(
                requested.upgradeId(),
                deployment,
                UpgradeKind.APPLICATION,
                Phase.REQUESTED,
                -1,
                null,
                new RoutingSlip(steps, requested.slip().facts()),
                requested.spec(),
                Instant.now());
        String attached = "baton.lb.servers-attached.v1";
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            request(kafka, request);
            SagaEvent done = awaitEvent(kafka, request.upgradeId(), attached, Duration.ofSeconds(60));
            assertThat(lb.members(deployment))
                    .extracting(LoadBalancer.Member::server)
                    .contains("app-3", "app-4");

            String reason = "the broker refused event " + attached + ": RecordTooLargeException";
            refusedRuns.refused(done, reason);
            refusedRuns.refused(done, reason);

            List<SagaEvent> failures = kafka
                    .await(
                            rs -> rs.stream()
                                    .anyMatch(r -> request.upgradeId().equals(r.key())
                                            && r.type().endsWith("-failed.v1")),
                            Duration.ofSeconds(60),
                            Owner.LB.topic())
                    .stream()
                    .filter(r -> request.upgradeId().equals(r.key()) && r.type().endsWith("-failed.v1"))
                    .map(r -> Json.read(r.value(), SagaEvent.class))
                    .toList();
            assertThat(failures).hasSize(1);
            SagaEvent failure = failures.get(0);
            assertThat(failure.phase()).isEqualTo(Phase.STEP_FAILED);
            assertThat(failure.step()).isZero();
            assertThat(failure.reason())
                    .contains("ATTACH_NEW_SERVERS was done, but its report could not be sent")
                    .contains("RecordTooLargeException");
            assertThat(failure.slip().facts())
                    .as("made from the slip the step started with, without the refused report's facts")
                    .isEqualTo(request.slip().facts());
        }
        assertThat(lb.members(deployment))
                .as("the attach is undone")
                .extracting(LoadBalancer.Member::server)
                .containsExactlyInAnyOrder("app-1", "app-2");
        assertThat(executions.of(request.upgradeId())).singleElement().satisfies(x -> {
            assertThat(x.state).isEqualTo(StepExecution.State.FAILED);
            assertThat(x.outcome).contains("could not be sent");
        });
    }

    /**
     * A run started baton.saga.max-attempts (5) times that never ended is not run a sixth time: the sweep finds it,
     * undoes what it may have done and reports the step failed with why, so the saga rolls back instead of looping.
     */
    @Test
    void aRunStartedTooOftenIsGivenUpNotRunAgain() throws Exception {
        String deployment = "lb-tries-" + UUID.randomUUID().toString().substring(0, 8);
        lb.addReady(deployment, "app-1", "app-1:80");
        SagaEvent request = requested(deployment, ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(1));
        running(request, null, null, 5);

        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            runner.sweep();
            SagaEvent failed =
                    awaitEvent(kafka, request.upgradeId(), "baton.lb.step-failed.v1", Duration.ofSeconds(30));
            assertThat(failed.reason())
                    .contains("was started 6 times without ending")
                    .contains("undone");
        }
        assertThat(lb.members(deployment))
                .as("the attach was not run again")
                .extracting(LoadBalancer.Member::server)
                .containsExactly("app-1");
        assertThat(executions.of(request.upgradeId())).singleElement().satisfies(x -> assertThat(x.state)
                .isEqualTo(StepExecution.State.FAILED));
    }

    /** A request of two steps: lb-service's attach, then cloud-service's (not running here), so the saga stops. */
    static SagaEvent attachOnly(String deployment) {
        return twoSteps(deployment, StepName.ATTACH_NEW_SERVERS, StepName.UPDATE_ARRAY);
    }

    /** An application upgrade's request of two steps, with the facts of {@link #requested}. */
    static SagaEvent twoSteps(String deployment, StepName first, StepName second) {
        SagaEvent template = requested(deployment, ApplicationUpgrade.DrainMode.DRAIN_STATE, Duration.ofMinutes(1));
        return new SagaEvent(
                template.upgradeId(),
                deployment,
                UpgradeKind.APPLICATION,
                Phase.REQUESTED,
                -1,
                null,
                new RoutingSlip(
                        List.of(SlipStep.pending(0, first, false), SlipStep.pending(1, second, false)),
                        template.slip().facts()),
                template.spec(),
                Instant.now());
    }

    /** A RUNNING run of the attach, as another replica of lb-service left it. */
    StepExecution leasedTo(SagaEvent request, String owner, Instant leaseUntil) {
        return running(request, owner, leaseUntil, 1);
    }

    /** A RUNNING run of the attach started {@code attempts} times, owned by {@code owner} (none: never claimed). */
    StepExecution running(SagaEvent request, String owner, Instant leaseUntil, int attempts) {
        StepExecution run = new StepExecution();
        run.id = StepExecution.key(request.upgradeId(), 0, io.baton.saga.Mode.ACTION);
        run.upgradeId = request.upgradeId();
        run.stepIndex = 0;
        run.stepName = StepName.ATTACH_NEW_SERVERS.name();
        run.mode = io.baton.saga.Mode.ACTION;
        run.state = StepExecution.State.RUNNING;
        run.attempts = attempts;
        run.trigger = Json.write(request);
        run.startedAt = Instant.now().minus(Duration.ofMinutes(1));
        run.owner = owner;
        run.leaseUntil = leaseUntil;
        run.token = owner == null ? 0 : 3;
        tx.run(s -> s.persist(run));
        return run;
    }

    /**
     * A run whose replica holds a live lease is left to it; one whose lease passed (the replica died) is taken over
     * with the next token, run, and its outcome written by the replica that took it.
     */
    @Test
    void aRunIsTakenOverOnlyOnceItsLeaseHasPassed() throws Exception {
        String live = "lb-live-" + UUID.randomUUID().toString().substring(0, 8);
        String dead = "lb-dead-" + UUID.randomUUID().toString().substring(0, 8);
        SagaEvent held = attachOnly(live);
        SagaEvent orphan = attachOnly(dead);
        for (SagaEvent r : List.of(held, orphan)) {
            lb.addReady(r.deployment(), "app-1", "app-1:80");
        }
        leasedTo(held, "lb-7", Instant.now().plus(Duration.ofHours(1)));
        leasedTo(orphan, "lb-7", Instant.now().minus(Duration.ofSeconds(1)));
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            runner.sweep();
            kafka.await(
                    rs -> rs.stream()
                            .anyMatch(r -> orphan.upgradeId().equals(r.key())
                                    && r.type().equals("baton.lb.servers-attached.v1")),
                    Duration.ofSeconds(30),
                    Owner.LB.topic());
        }
        assertThat(executions.of(orphan.upgradeId())).singleElement().satisfies(x -> {
            assertThat(x.state).isEqualTo(StepExecution.State.DONE);
            assertThat(x.owner).isEqualTo(runner.me());
            assertThat(x.token).isEqualTo(4);
        });
        assertThat(lb.members(dead)).extracting(LoadBalancer.Member::server).contains("app-3", "app-4");
        assertThat(executions.of(held.upgradeId())).singleElement().satisfies(x -> {
            assertThat(x.state).isEqualTo(StepExecution.State.RUNNING);
            assertThat(x.owner).isEqualTo("lb-7");
        });
        assertThat(lb.members(live)).extracting(LoadBalancer.Member::server).containsExactly("app-1");
    }

    /**
     * Fencing: a replica whose run another took over while it ran (its lease passed, say in a long pause) finishes
     * the action but may not write its outcome; the run stays the other replica's.
     */
    @Test
    void aReplicaWhoseRunWasTakenOverWritesNoOutcome() throws Exception {
        String deployment = "lb-fenced-" + UUID.randomUUID().toString().substring(0, 8);
        lb.addReady(deployment, "app-1", "app-1:80");
        SagaEvent request = attachOnly(deployment);
        faults.add(new io.baton.saga.FaultInjector.Rule(
                StepName.ATTACH_NEW_SERVERS, deployment, null, null, 3_000L, null));
        String id = StepExecution.key(request.upgradeId(), 0, io.baton.saga.Mode.ACTION);
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            request(kafka, request);
            io.baton.common.Wait.forThe("the attach to start", Duration.ofSeconds(30))
                    .every(Duration.ofMillis(20))
                    .until(() -> !executions.of(request.upgradeId()).isEmpty());
            tx.run(s -> s.createMutationQuery("update StepExecution set owner = 'lb-7', token = token + 1,"
                            + " leaseUntil = :until where id = :id")
                    .setParameter("until", Instant.now().plus(Duration.ofHours(1)))
                    .setParameter("id", id)
                    .executeUpdate());
            Thread.sleep(6_000);
            assertThat(kafka.readAll(Owner.LB.topic()))
                    .as("no outcome from the replica that lost the run")
                    .noneMatch(r ->
                            request.upgradeId().equals(r.key()) && r.type().equals("baton.lb.servers-attached.v1"));
        } finally {
            faults.clear();
        }
        assertThat(executions.of(request.upgradeId())).singleElement().satisfies(x -> {
            assertThat(x.state).isEqualTo(StepExecution.State.RUNNING);
            assertThat(x.owner).isEqualTo("lb-7");
        });
    }

    /**
     * One replica publishes the outbox: while another holds the relay lease, this one's events wait in the table;
     * once that lease has passed (the other replica died), this one takes it and they leave, in order.
     */
    @Test
    void onlyTheReplicaHoldingTheRelayLeasePublishes() throws Exception {
        String deployment = "lb-relay-" + UUID.randomUUID().toString().substring(0, 8);
        lb.addReady(deployment, "app-1", "app-1:80");
        SagaEvent request = attachOnly(deployment);
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            leaseRelayTo("lb-7", Instant.now().plus(Duration.ofHours(1)));
            request(kafka, request);
            io.baton.common.Wait.forThe("the attach to end", Duration.ofSeconds(30))
                    .every(Duration.ofMillis(50))
                    .until(() -> executions.of(request.upgradeId()).stream()
                            .anyMatch(x -> x.state == StepExecution.State.DONE));
            Thread.sleep(2_000);
            assertThat(kafka.readAll(Owner.LB.topic()))
                    .as("nothing published while another replica holds the relay lease")
                    .noneMatch(r -> request.upgradeId().equals(r.key()));

            leaseRelayTo("lb-7", Instant.now().minus(Duration.ofSeconds(1)));
            List<String> types = kafka
                    .await(
                            rs -> rs.stream()
                                    .anyMatch(r -> request.upgradeId().equals(r.key())
                                            && r.type().equals("baton.lb.servers-attached.v1")),
                            Duration.ofSeconds(30),
                            Owner.LB.topic())
                    .stream()
                    .filter(r -> request.upgradeId().equals(r.key()))
                    .map(KafkaProbe.Record::type)
                    .toList();
            assertThat(types)
                    .as("published in order once this replica took the lease")
                    .containsExactly("baton.lb.step-started.v1", "baton.lb.servers-attached.v1");
        } finally {
            leaseRelayTo("lb-7", Instant.now().minus(Duration.ofSeconds(1)));
            relay.holdLease();
        }
    }

    private void leaseRelayTo(String owner, Instant until) {
        tx.run(s -> s.createNativeQuery(
                        "update relay_lease set owner = :owner, lease_until = :until where service = 'lb'")
                .setParameter("owner", owner)
                .setParameter("until", until)
                .executeUpdate());
        relay.holdLease();
    }
}
