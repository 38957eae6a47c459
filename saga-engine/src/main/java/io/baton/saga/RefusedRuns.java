package io.baton.saga;

import io.baton.contracts.Phase;
import io.baton.contracts.SagaEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * A step's report the broker refused for good ends the upgrade instead of stalling it: the run is taken back (see
 * {@link StepRunner#retract}), so the saga rolls back with the broker's reason.
 */
@ApplicationScoped
public class RefusedRuns implements RefusedEvents {

    private static final Set<Phase> REPORTS = Set.of(Phase.STEP_COMPLETED, Phase.STEP_COMPENSATED, Phase.STEP_FAILED);

    private final StepRunner runner;

    public RefusedRuns(StepRunner runner) {
        this.runner = runner;
    }

    @Override
    public void refused(SagaEvent event, String reason) {
        if (REPORTS.contains(event.phase())
                && event.slip() != null
                && event.step() >= 0
                && event.step() < event.slip().steps().size()
                && runner.handles(event.slip().step(event.step()).name())) {
            runner.retract(event, reason);
        }
    }
}
