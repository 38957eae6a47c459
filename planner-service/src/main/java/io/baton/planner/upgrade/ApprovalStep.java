package io.baton.planner.upgrade;

import io.baton.contracts.StepName;
import io.baton.saga.StepContext;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** "If everything looks solid...": the saga holds here until an operator approves or aborts. */
@ApplicationScoped
public class ApprovalStep implements StepHandler {

    @Override
    public StepName step() {
        return StepName.APPROVAL;
    }

    @Override
    public StepResult execute(StepContext context) {
        return StepResult.waitingForOperator();
    }
}
