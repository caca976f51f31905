package io.socialcrm.errors;

/**
 * A record that breaks the data contract (missing field, unknown platform, impossible time...).
 * Thrown by processors before they change any state; the processing-exception handler sends the
 * record to {@code dead-letters} with this message as the reason and processing goes on. Messages
 * never contain personal data: they name fields and limits, not values.
 */
public class InvalidRecordException extends RuntimeException {
    public InvalidRecordException(String reason) {
        super(reason, null, false, false);
    }
}
