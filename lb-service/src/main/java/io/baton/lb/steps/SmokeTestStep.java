package io.baton.lb.steps;

import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.ApplicationFacts.SmokeTestPassed;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** Test the site through the balancer, now that only the new servers serve it. */
@ApplicationScoped
public class SmokeTestStep implements StepHandler {

    private final Balancers balancers;

    public SmokeTestStep(Balancers balancers) {
        this.balancers = balancers;
    }

    @Override
    public StepName step() {
        return StepName.SMOKE_TEST;
    }

    @Override
    public StepResult execute(StepContext context) throws StepFailedException {
        SmokeTest test = context.spec().application().smokeTest();
        int status = balancers.current().request(context.deployment(), test.path());
        if (status != test.expectedStatus()) {
            throw new StepFailedException("GET " + test.path() + " through the balancer answered " + status
                    + ", expected " + test.expectedStatus());
        }
        return StepResult.done(new SmokeTestPassed("GET " + test.path() + " -> " + status));
    }
}
