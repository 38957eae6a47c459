package io.baton.saga;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * This service's own record of running one of its steps (or a compensation). Written RUNNING, in the transaction that
 * decided to run it, before the action starts, so that a service killed mid-step resumes it after restart; the key
 * makes sure a step runs once per saga.
 */
@Entity
@Table(name = "step_execution")
public class StepExecution {

    public enum State {
        RUNNING,
        /** Waiting for something outside the service, such as an operator's approval. */
        WAITING,
        DONE,
        FAILED
    }

    /** {@code <upgradeId>/<index>/<mode>} */
    @Id
    public String id;

    public String upgradeId;
    public int stepIndex;
    public String stepName;

    @Enumerated(EnumType.STRING)
    public Mode mode;

    @Enumerated(EnumType.STRING)
    public State state;

    /** How many times the run was started: more than one only when the service was restarted mid-step. */
    public int attempts;

    /** The event that started the run, as JSON: everything the step needs. */
    @Column(columnDefinition = "text")
    public String trigger;

    @Column(columnDefinition = "text")
    public String outcome;

    public Instant startedAt;
    public Instant finishedAt;

    /** The replica running it ({@code <service>-<instance id>}), while RUNNING; null for a run never claimed. */
    public String owner;

    /** Until when {@link #owner} holds it: renewed by its heartbeat, taken over by another replica once past. */
    public Instant leaseUntil;

    /** Goes up with every claim: an outcome is written only by the replica holding the current token. */
    public long token;

    public static String key(String upgradeId, int index, Mode mode) {
        return upgradeId + "/" + index + "/" + mode.name().toLowerCase();
    }

    public boolean open() {
        return state == State.RUNNING || state == State.WAITING;
    }
}
