package io.socialcrm.serde;

/** The header is valid but the Avro bytes cannot be decoded with the writer schema. */
public class MalformedPayloadException extends SerdeException {
    public MalformedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
