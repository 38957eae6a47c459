package io.baton.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitTest {

    @Test
    void returnsWhatTheProbeYieldsOnceItIsThere() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        String value = Wait.forThe("the third look", Duration.ofSeconds(5))
                .every(Duration.ofMillis(1))
                .untilValue(() -> looks.incrementAndGet() == 3 ? "ready" : null);
        assertThat(value).isEqualTo("ready");
        assertThat(looks).hasValue(3);
    }

    @Test
    void aTimeoutNamesWhatWasAwaitedAndTheLastErrorThatMeantNotYet() {
        assertThatThrownBy(() -> Wait.forThe("db-3 to accept connections", Duration.ofMillis(30))
                        .every(Duration.ofMillis(5))
                        .ignoring(IOException.class)
                        .untilValue(() -> {
                            throw new IOException("connection refused");
                        }))
                .isInstanceOf(Wait.TimedOut.class)
                .hasMessage("waited 30 ms for db-3 to accept connections in vain; last error: connection refused");
    }

    @Test
    void anErrorThatIsNotANotYetEndsTheWaitAtOnce() {
        AtomicInteger looks = new AtomicInteger();
        assertThatThrownBy(() -> Wait.forThe("something", Duration.ofSeconds(5))
                        .ignoring(IOException.class)
                        .untilValue(() -> {
                            looks.incrementAndGet();
                            throw new IllegalStateException("broken");
                        }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(looks).hasValue(1);
    }

    @Test
    void theStopConditionEndsTheWaitEarlyWithItsReason() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> Wait.forThe("the replica to catch up", Duration.ofSeconds(30))
                        .every(Duration.ofMillis(5))
                        .stopIf(() -> System.nanoTime() - started > 20_000_000, "aborted by the operator")
                        .until(() -> false))
                .isInstanceOf(Wait.Stopped.class)
                .hasMessage("aborted by the operator while waiting for the replica to catch up");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aConditionThatHoldsAtOnceDoesNotWait() throws Exception {
        long started = System.nanoTime();
        Wait.forThe("nothing", Duration.ofSeconds(5))
                .every(Duration.ofSeconds(1))
                .until(() -> true);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void anAbsoluteDeadlineInThePastStillLooksOnce() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        assertThatThrownBy(
                        () -> Wait.forThe("the fence", System.nanoTime() - 1).until(() -> looks.incrementAndGet() > 1))
                .isInstanceOf(Wait.TimedOut.class);
        assertThat(looks).hasValue(1);
    }

    @Test
    void backingOffDoublesThePauseUpToItsMaximum() throws Exception {
        long[] at = new long[6];
        AtomicInteger looks = new AtomicInteger();
        Wait.forThe("a database that comes back", Duration.ofSeconds(5))
                .backingOff(Duration.ofMillis(10), Duration.ofMillis(40))
                .untilValue(() -> {
                    at[looks.get()] = System.nanoTime();
                    return looks.incrementAndGet() == at.length ? true : null;
                });
        long last = (at[5] - at[4]) / 1_000_000;
        long first = (at[1] - at[0]) / 1_000_000;
        assertThat(first).isBetween(9L, 30L);
        assertThat(last).isBetween(39L, 80L);
    }

    @Test
    void elapseLetsTheWholeTimePassUnlessStopped() throws Exception {
        long started = System.nanoTime();
        Wait.forThe("an injected delay", Duration.ofMillis(40))
                .every(Duration.ofMillis(5))
                .elapse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
        assertThatThrownBy(() -> Wait.forThe("an injected delay", Duration.ofSeconds(30))
                        .stopIf(() -> true, "aborted by the operator")
                        .elapse())
                .isInstanceOf(Wait.Stopped.class);
    }

    @Test
    void aWaitWithoutADeadlineIsRefused() {
        assertThatThrownBy(() -> Wait.forThe("forever", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
