package io.baton.saga;

import io.baton.contracts.StepName;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes chosen steps fail on purpose, for demos and for proving that every step rolls back. A rule fails the step
 * after its action ran, so the undo of a half-done step is exercised too. Works with every driver, real or sim.
 */
@ApplicationScoped
public class FaultInjector {

    public enum Target {
        ACTION,
        COMPENSATION
    }

    /**
     * @param deployment only this deployment, or every one when null
     * @param probability chance that a matching step fails, 1 when null
     */
    public record Rule(StepName step, String deployment, Double probability, Target target) {}

    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    public void add(Rule rule) {
        rules.add(rule);
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    public void clear() {
        rules.clear();
    }

    void check(StepName step, String deployment, Target target) throws StepFailedException {
        for (Rule rule : rules) {
            boolean matches = rule.step() == step
                    && (rule.deployment() == null || rule.deployment().equals(deployment))
                    && (rule.target() == null ? Target.ACTION : rule.target()) == target;
            double p = rule.probability() == null ? 1.0 : rule.probability();
            if (matches && ThreadLocalRandom.current().nextDouble() < p) {
                throw new StepFailedException(
                        "injected fault in " + step + " (" + target.name().toLowerCase() + ")");
            }
        }
    }
}
