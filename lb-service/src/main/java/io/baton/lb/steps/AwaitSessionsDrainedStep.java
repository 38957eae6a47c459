package io.baton.lb.steps;

import io.baton.contracts.StepName;
import io.baton.lb.drain.DrainWatcher;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Wait until the old servers hold no session, with the session TTL as the deadline; report the sessions cut. */
@ApplicationScoped
public class AwaitSessionsDrainedStep implements StepHandler {

    private final Members members;
    private final DrainWatcher watcher = new DrainWatcher(Duration.ofMillis(50));

    public AwaitSessionsDrainedStep(Members members) {
        this.members = members;
    }

    @Override
    public StepName step() {
        return StepName.AWAIT_SESSIONS_DRAINED;
    }

    @Override
    public StepResult execute(StepContext context) throws Exception {
        List<String> old =
                List.copyOf(Members.parse(context.fact(Members.OLD_SERVERS)).keySet());
        DrainWatcher.Report report = watcher.await(
                members.balancer(),
                context.deployment(),
                old,
                context.spec().application().sessionTtl(),
                context.abortRequested());
        context.checkNotAborted();
        return StepResult.done(Map.of(
                "drained", Boolean.toString(report.drained()),
                "sessionsCut", Integer.toString(report.sessionsCut()),
                "drainMillis", Long.toString(report.waitedMillis())));
    }
}
