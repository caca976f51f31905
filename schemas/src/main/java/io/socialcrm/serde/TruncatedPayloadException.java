package io.socialcrm.serde;

/** The payload ends before the header or the Avro value is complete. */
public class TruncatedPayloadException extends SerdeException {
    public TruncatedPayloadException(String topic, int length, String detail) {
        super(String.format("Truncated payload of %d bytes in topic '%s': %s", length, topic, detail));
    }

    public TruncatedPayloadException(String topic, int length, String detail, Throwable cause) {
        super(String.format("Truncated payload of %d bytes in topic '%s': %s", length, topic, detail), cause);
    }
}
