package io.socialcrm.customers;

import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.Routed;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The customer stage's {@code customer-profiles} records, one per customer and commit: a customer
 * refreshed several times within one commit (a burst of credits on a popular post, the events of one
 * batch) has only the last profile written, or only the tombstone when it was removed last. The topic
 * is compacted and read-committed: a reader sees what it saw before, in fewer records, in the same
 * transaction as the changes that made them ({@link BeforeCommit}). Segment changes are not coalesced:
 * every entry and exit is evaluated and written per event. Where {@link BeforeCommit} is not to be
 * had (at-least-once, a processor run outside Kafka Streams), each profile goes at once.
 */
final class ProfileOutbox {
    private final ProcessorContext<String, Routed> context;
    private final BeforeCommit beforeCommit;
    /** Per customer, the record to write, in the order customers were first refreshed since the last flush. */
    private final Map<String, Record<String, Routed>> waiting = new LinkedHashMap<>();

    /** @param beforeCommit the hook that sends the waiting profiles, or null to send each at once */
    ProfileOutbox(ProcessorContext<String, Routed> context, BeforeCommit beforeCommit) {
        this.context = context;
        this.beforeCommit = beforeCommit;
    }

    /** The customer's profile as of {@code time}; null writes the tombstone (the customer removed). */
    void write(String customerId, CustomerProfile profile, long time) {
        Record<String, Routed> record = new Record<>(customerId, new Routed.ToProfiles(profile), time);
        if (beforeCommit == null) {
            context.forward(record);
            return;
        }
        waiting.put(customerId, record);
        beforeCommit.mark();
    }

    /** Writes what waits: called by the {@link BeforeCommit} hook. */
    void flush() {
        List<Record<String, Routed>> records = List.copyOf(waiting.values());
        waiting.clear();
        records.forEach(context::forward);
    }
}
