package io.socialcrm.stack;

/** The embedded stack could not start or stop as asked; the message says what and where. */
public class StackException extends RuntimeException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
