package io.baton.lb.steps;

import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.AppServersLaunched;
import io.baton.contracts.facts.ApplicationFacts.SessionsDrained;
import io.baton.lb.drain.DrainWatcher;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Wait until the old servers hold no session, with the session TTL as the deadline; report the sessions cut. */
@ApplicationScoped
public class AwaitSessionsDrainedStep implements StepHandler {

    private final Balancers balancers;
    private final DrainWatcher watcher = new DrainWatcher(Duration.ofMillis(50));

    public AwaitSessionsDrainedStep(Balancers balancers) {
        this.balancers = balancers;
    }

    @Override
    public StepName step() {
        return StepName.AWAIT_SESSIONS_DRAINED;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        DrainWatcher.Report report = watcher.await(
                balancers.current(),
                context.deployment(),
                AttachNewServersStep.names(
                        context.facts(AppServersLaunched.class).oldServers()),
                context.spec().application().sessionTtl(),
                context.abortRequested());
        context.checkNotAborted();
        return StepResult.done(new SessionsDrained(report.drained(), report.sessionsCut(), report.waitedMillis()));
    }
}
