package io.socialcrm.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Base of every error of the Avro serde. Subclasses say what exactly was wrong, so that the
 * dead-letter headers and the logs name the cause ({@code error.class}).
 */
public class SerdeException extends SerializationException {
    public SerdeException(String message) {
        super(message);
    }

    public SerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
