package io.socialcrm.http;

import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import java.util.List;

/** What the console needs of Kafka beyond the instance's stores: publishing definitions, following segment changes. */
public interface ConsoleBackend extends AutoCloseable {

    /** Writes a definition to {@code segment-definitions} (keyed as the topology expects) and waits for the broker's acknowledgement. */
    void publish(SegmentDefinition definition);

    /** The segment changes this instance follows. */
    ChangeFeed changes();

    /** Cross-platform consent take-up over every partition, as last written to {@code consent-take-up}. */
    TakeUpTotals takeUp();

    /**
     * Every committed change of one customer still on {@code segment-changes} (or, with {@code shadow},
     * {@code segment-shadow-changes}), oldest first: the partition of the customer's key read from
     * its beginning.
     */
    List<SegmentChange> history(String customerId, boolean shadow);

    @Override
    void close();
}
