package io.socialcrm.time;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SocialActivity;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of the contract's inputs: {@code occurredAt} of an activity, {@code recordedAt} of a
 * consent, {@code fetchedAt} of a profile snapshot; 0 for a segment definition, which applies from
 * the beginning of time (so it is processed before the data it judges); the record's own timestamp
 * for anything else.
 * An impossible event time (negative, or further ahead of the record's timestamp than allowed)
 * is not used, so one bad record cannot move stream time; the processor then sends it to
 * dead-letters with the reason (see {@link #problem}).
 */
public final class EventTimeExtractor implements TimestampExtractor {
    private final long maxFutureMs;

    public EventTimeExtractor(Duration maxFuture) {
        this.maxFutureMs = maxFuture.toMillis();
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof SegmentDefinition) {
            return 0L;
        }
        long recordTime = record.timestamp();
        Instant eventTime = eventTime(record.value());
        if (eventTime != null && problem(eventTime.toEpochMilli(), recordTime) == null) {
            return eventTime.toEpochMilli();
        }
        if (recordTime >= 0) {
            return recordTime;
        }
        return Math.max(partitionTime, 0);
    }

    private static Instant eventTime(Object value) {
        if (value instanceof SocialActivity activity) {
            return activity.getOccurredAt();
        }
        if (value instanceof ConsentRecord consent) {
            return consent.getRecordedAt();
        }
        if (value instanceof ProfileSnapshot profile) {
            return profile.getFetchedAt();
        }
        return null;
    }

    /** Why an event time cannot be used, or null when it can. */
    public String problem(long eventTimeMs, long recordTimeMs) {
        if (eventTimeMs < 0) {
            return "event time is before 1970 (negative)";
        }
        if (recordTimeMs >= 0 && eventTimeMs > recordTimeMs + maxFutureMs) {
            return "event time is more than " + Duration.ofMillis(maxFutureMs) + " after the record's timestamp";
        }
        return null;
    }
}
