package io.socialcrm.serde;

/** No answer from the schema registry after every retry (connection refused, timeout, TLS failure). */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    public SchemaRegistryUnavailableException(String url, String what, int attempts, Throwable cause) {
        super(url, String.format("Schema registry %s unreachable for %s after %d attempt(s): %s",
                url, what, attempts, cause.toString()), cause);
    }
}
