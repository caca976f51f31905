package io.socialcrm.connectors.mapping;

/** A payload that cannot become a contract record; the message says what is missing or wrong (never its content). */
public class MappingException extends Exception {
    public MappingException(String message) {
        super(message, null, false, false);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
