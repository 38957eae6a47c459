package io.baton.common;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one way Baton waits for something outside itself: what it waits for (named, so that a timeout says what did not
 * happen), a deadline it never waits past, how often it looks, and, optionally, a reason to give up early (an operator's
 * abort) and the errors that only mean "not yet" (a server still starting).
 *
 * <pre>{@code
 * String lsn = Wait.forThe("db-3 to replay 0/5000", Duration.ofMinutes(10))
 *         .every(Duration.ofMillis(20))
 *         .stopIf(aborted, "aborted by the operator")
 *         .ignoring(SQLException.class)
 *         .untilValue(() -> replayedPast(target));
 * }</pre>
 */
public final class Wait {

    /**
     * Looks once.
     *
     * @param <T> what the wait yields
     * @param <E> what looking may throw that ends the wait
     */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        /** What was awaited, or null when it has not happened yet. */
        T poll() throws E, InterruptedException;
    }

    /** A condition looked at once. */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        boolean holds() throws E, InterruptedException;
    }

    /** The wait did not end the way its caller hoped: it timed out, or was told to stop. */
    public abstract static class Unfinished extends Exception {
        Unfinished(String message) {
            super(message, null, false, false);
        }
    }

    /** The deadline passed first. */
    public static final class TimedOut extends Unfinished {
        TimedOut(String message) {
            super(message);
        }
    }

    /** The stop condition held first. */
    public static final class Stopped extends Unfinished {
        Stopped(String message) {
            super(message);
        }
    }

    private final String what;
    private final long deadlineNanos;
    private final Duration timeout;
    private Duration interval = Duration.ofMillis(50);
    private Duration maxInterval;
    private BooleanSupplier stop = () -> false;
    private String stopReason;
    private List<Class<? extends Exception>> notYet = List.of();

    private Wait(String what, long deadlineNanos, Duration timeout) {
        this.what = what;
        this.deadlineNanos = deadlineNanos;
        this.timeout = timeout;
    }

    /** Waits at most {@code timeout} from now for {@code what} (a phrase: "db-3 to accept connections"). */
    public static Wait forThe(String what, Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a wait needs a deadline, not " + timeout);
        }
        return new Wait(what, System.nanoTime() + timeout.toNanos(), timeout);
    }

    /**
     * Waits for {@code what} until an absolute deadline in {@link System#nanoTime()} terms: for a wait that is one part
     * of a longer bounded window, such as a write fence.
     */
    public static Wait forThe(String what, long deadlineNanos) {
        return new Wait(what, deadlineNanos, Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
    }

    /** How long to pause between two looks (50 ms unless told). */
    public Wait every(Duration interval) {
        this.interval = positive(interval);
        return this;
    }

    /** Pauses that double from {@code first} up to {@code max}: for retrying something that is down. */
    public Wait backingOff(Duration first, Duration max) {
        this.interval = positive(first);
        this.maxInterval = positive(max);
        return this;
    }

    /** Gives up, with {@link Stopped} and {@code why}, as soon as {@code condition} holds. */
    public Wait stopIf(BooleanSupplier condition, String why) {
        this.stop = condition;
        this.stopReason = why;
        return this;
    }

    /** Errors a look may throw that mean only "not yet"; the last one is named if the wait times out. */
    @SafeVarargs
    public final Wait ignoring(Class<? extends Exception>... notYet) {
        this.notYet = List.of(notYet);
        return this;
    }

    /** Looks until the probe yields something, and returns it. */
    public <T, E extends Exception> T untilValue(Probe<T, E> probe) throws E, TimedOut, Stopped, InterruptedException {
        Duration pause = interval;
        Exception lastError = null;
        while (true) {
            try {
                T value = probe.poll();
                if (value != null) {
                    return value;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (notYet.stream().noneMatch(type -> type.isInstance(e))) {
                    throw e;
                }
                lastError = e;
            }
            if (stop.getAsBoolean()) {
                throw new Stopped(stopReason + " while waiting for " + what);
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new TimedOut("waited " + describe(timeout) + " for " + what + " in vain"
                        + (lastError == null ? "" : "; last error: " + lastError.getMessage()));
            }
            sleep(Math.min(pause.toNanos(), left));
            if (maxInterval != null) {
                pause = pause.multipliedBy(2).compareTo(maxInterval) > 0 ? maxInterval : pause.multipliedBy(2);
            }
        }
    }

    /** Looks until the condition holds. */
    public <E extends Exception> void until(Condition<E> condition) throws E, TimedOut, Stopped, InterruptedException {
        untilValue(() -> condition.holds() ? Boolean.TRUE : null);
    }

    /** A deliberate delay (a simulated action's latency) that only an interrupt cuts short. */
    public static void delay(Duration length) throws InterruptedException {
        if (!length.isNegative() && !length.isZero()) {
            sleep(length.toNanos());
        }
    }

    /** Lets the whole time pass, for a deliberate delay, unless the stop condition holds first. */
    public void elapse() throws Stopped, InterruptedException {
        try {
            untilValue(() -> null);
        } catch (TimedOut over) {
            // the time has passed, as asked
        }
    }

    /** Time left before the deadline, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private static void sleep(long nanos) throws InterruptedException {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    private static Duration positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("a pause must be positive, not " + d);
        }
        return d;
    }

    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : ms % 1000 == 0 ? ms / 1000 + " s" : String.format("%.1f s", ms / 1000.0);
    }
}
