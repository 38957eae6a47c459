package io.baton.saga;

import io.baton.common.Wait;
import io.baton.contracts.StepName;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Makes chosen steps fail on purpose, for demos and for proving that every step rolls back. A rule fails the step
 * after its action ran, so the undo of a half-done step is exercised too. Works with every driver, real or sim.
 */
@ApplicationScoped
public class FaultInjector {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(FaultInjector.class);

    public enum Target {
        ACTION,
        COMPENSATION
    }

    /**
     * @param deployment only this deployment, or every one when null
     * @param probability chance that a matching step fails, 1 when null
     * @param delayMillis when set, the rule slows the step (its action, or its undo when {@code target} says so) down
     *     by this much instead of failing it
     * @param crashAt when set, the rule halts this service's process, as kill -9 would, when the step reaches this
     *     point (a switchover names its phases: {@code paused}, {@code promoting}, ...) instead of failing it: a drill
     *     of Baton's own death at that moment
     */
    public record Rule(
            StepName step, String deployment, Double probability, Target target, Long delayMillis, String crashAt) {

        boolean matches(StepName s, String d, Target t) {
            return step == s
                    && (deployment == null || deployment.equals(d))
                    && (target == null ? Target.ACTION : target) == t;
        }
    }

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

    /**
     * Halts the process here, without shutdown hooks or any cleanup (what kill -9 leaves behind), when a rule names
     * this point of this step; does nothing otherwise.
     */
    public void crashPoint(StepName step, String deployment, String point) {
        for (Rule rule : rules) {
            if (point.equals(rule.crashAt())
                    && rule.step() == step
                    && (rule.deployment() == null || rule.deployment().equals(deployment))) {
                LOG.errorf("halting at %s of %s for %s, as a fault rule says", point, step, deployment);
                Runtime.getRuntime().halt(137);
            }
        }
    }

    void check(StepName step, String deployment, Target target) throws StepFailedException {
        for (Rule rule : rules) {
            double p = rule.probability() == null ? 1.0 : rule.probability();
            if (rule.delayMillis() == null
                    && rule.crashAt() == null
                    && rule.matches(step, deployment, target)
                    && ThreadLocalRandom.current().nextDouble() < p) {
                throw new StepFailedException(
                        "injected fault in " + step + " (" + target.name().toLowerCase() + ")");
            }
        }
    }

    /**
     * Waits as long as the delay rules for this step's action or undo say; stops early when the upgrade is aborted.
     */
    void delay(StepName step, String deployment, Target target, BooleanSupplier aborted) throws InterruptedException {
        long total = rules.stream()
                .filter(r -> r.delayMillis() != null && r.crashAt() == null && r.matches(step, deployment, target))
                .mapToLong(Rule::delayMillis)
                .sum();
        if (total == 0) {
            return;
        }
        try {
            Wait.forThe("the injected delay of " + step, Duration.ofMillis(total))
                    .stopIf(aborted, SagaRules.ABORTED)
                    .elapse();
        } catch (Wait.Stopped abortedMeanwhile) {
            // the step goes on and turns around when it ends
        }
    }
}
