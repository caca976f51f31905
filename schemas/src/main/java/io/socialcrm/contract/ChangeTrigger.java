package io.socialcrm.contract;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What caused a {@code segment-changes} record, carried in its header {@value #HEADER} (outside
 * the Avro value, so the contract's record stays as it is): {@code event} when a record about the
 * customer (activity, credit, consent, profile, merge, erasure) caused it, {@code sweep} when a
 * periodic re-evaluation found it (decay, dormancy, a rank that drifted as others changed, a new
 * definition). Tells a consumer how fresh the change is: an event-triggered change follows its
 * event within the processing latency, a swept one within {@code segments.refresh.interval}.
 */
public enum ChangeTrigger {
    EVENT("event"),
    SWEEP("sweep");

    public static final String HEADER = "socialcrm.trigger";

    private final String value;

    ChangeTrigger(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** New headers holding this trigger. */
    public Headers headers() {
        return new RecordHeaders().add(HEADER, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The trigger in these headers, or null if none (records written before this header existed). */
    public static ChangeTrigger of(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        if (header == null || header.value() == null) {
            return null;
        }
        String text = new String(header.value(), StandardCharsets.UTF_8);
        for (ChangeTrigger t : values()) {
            if (t.value.equals(text)) {
                return t;
            }
        }
        return null;
    }
}
