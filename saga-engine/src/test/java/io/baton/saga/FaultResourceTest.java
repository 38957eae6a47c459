package io.baton.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.contracts.StepName;
import io.baton.saga.problem.ProblemException;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** Fault injection answers only where it is turned on: by default a service has no /faults. */
class FaultResourceTest {

    static SagaConfig faults(boolean enabled) {
        return (SagaConfig) Proxy.newProxyInstance(
                SagaConfig.class.getClassLoader(), new Class<?>[] {SagaConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("faultsEnabled")) {
                        return enabled;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void offItAnswersNotFoundToEveryCallAndTakesNoRule() {
        FaultInjector injector = new FaultInjector();
        FaultResource off = new FaultResource(injector, null, faults(false));
        FaultInjector.Rule rule = new FaultInjector.Rule(StepName.PROMOTE, "shop", null, null, null, null);
        for (Runnable call : new Runnable[] {() -> off.add(rule), off::list, off::clear}) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(
                            ProblemException.class,
                            p -> assertThat(p.toProblem("/faults").status()).isEqualTo(404))
                    .hasMessageContaining("baton.saga.faults-enabled=true");
        }
        assertThat(injector.rules()).isEmpty();
    }

    @Test
    void onItListsItsRules() {
        FaultInjector injector = new FaultInjector();
        assertThat(new FaultResource(injector, null, faults(true)).list()).isEmpty();
    }
}
