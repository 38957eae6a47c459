package io.baton.saga;

/** A step could not be done; the message says why, in words an operator can act on. */
public class StepFailedException extends Exception {

    public StepFailedException(String message) {
        super(message);
    }

    public StepFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
