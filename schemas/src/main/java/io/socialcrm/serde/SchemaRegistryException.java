package io.socialcrm.serde;

/**
 * The schema registry refused a request or answered with an error. Names the URL, the subject (or
 * schema id) and the registry's own status and error code.
 */
public class SchemaRegistryException extends SerdeException {
    private final String url;
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String url, String what, int httpStatus, int errorCode, String registryMessage) {
        super(String.format("Schema registry %s answered HTTP %d (error code %d) for %s: %s",
                url, httpStatus, errorCode, what, registryMessage));
        this.url = url;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    protected SchemaRegistryException(String url, String message, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    public String url() {
        return url;
    }

    /** HTTP status, or -1 when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's error code (Confluent: 40401 subject not found, 40403 schema not found, 409 incompatible), or -1. */
    public int errorCode() {
        return errorCode;
    }

    /** True for errors that may pass: no answer, 5xx, 429. */
    public boolean isRetriable() {
        return httpStatus < 0 || httpStatus >= 500 || httpStatus == 429;
    }
}
