package io.baton.lb.steps;

import io.baton.contracts.ApplicationUpgrade.SmokeTest;
import io.baton.contracts.StepName;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Test the site through the balancer, now that only the new servers serve it. */
@ApplicationScoped
public class SmokeTestStep implements StepHandler {

    private final Members members;

    public SmokeTestStep(Members members) {
        this.members = members;
    }

    @Override
    public StepName step() {
        return StepName.SMOKE_TEST;
    }

    @Override
    public StepResult execute(StepContext context) throws StepFailedException {
        SmokeTest test = context.spec().application().smokeTest();
        int status = members.balancer().request(context.deployment(), test.path());
        if (status != test.expectedStatus()) {
            throw new StepFailedException("GET " + test.path() + " through the balancer answered " + status
                    + ", expected " + test.expectedStatus());
        }
        return StepResult.done(Map.of("smokeTest", "GET " + test.path() + " -> " + status));
    }
}
