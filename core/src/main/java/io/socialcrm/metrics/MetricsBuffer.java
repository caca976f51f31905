package io.socialcrm.metrics;

import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.common.Routed;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Anonymous per-platform, per-hour counts of one task, kept in a (changelogged, cached) store
 * until the next flush sends them on as {@link MetricsDelta}s. Being a store, an uncommitted count
 * is rolled back with the input it came from: no loss, no double count under exactly-once.
 */
public final class MetricsBuffer {
    public static final long HOUR_MS = 3_600_000L;

    /** What is counted. */
    public enum Count { SEEN, ACCEPTED, DROPPED_NO_CONSENT, ACTIVE_ACCOUNT, GRANTED, REVOKED }

    private final KeyValueStore<String, MetricsDelta> store;

    public MetricsBuffer(KeyValueStore<String, MetricsDelta> store) {
        this.store = store;
    }

    public static long hourStart(long time) {
        return Math.floorDiv(time, HOUR_MS) * HOUR_MS;
    }

    public void count(String platform, long eventTime, Count what) {
        count(platform, eventTime, what, null);
    }

    /**
     * Counts {@code what} and, unless null, {@code also} in the same hour: one read and one write of
     * the buffer (an activity is seen and accepted or dropped, and each is a store read, a
     * deserialisation, a serialisation and a write).
     */
    public void count(String platform, long eventTime, Count what, Count also) {
        long hour = hourStart(eventTime);
        String key = platform + "|" + hour;
        MetricsDelta delta = store.get(key);
        if (delta == null) {
            delta = MetricsDelta.newBuilder().setPlatform(platform).setWindowStart(hour).build();
        }
        add(delta, what);
        if (also != null) {
            add(delta, also);
        }
        store.put(key, delta);
    }

    private static void add(MetricsDelta delta, Count what) {
        switch (what) {
            case SEEN -> delta.setSeen(delta.getSeen() + 1);
            case ACCEPTED -> delta.setAccepted(delta.getAccepted() + 1);
            case DROPPED_NO_CONSENT -> delta.setDroppedNoConsent(delta.getDroppedNoConsent() + 1);
            case ACTIVE_ACCOUNT -> delta.setActiveAccounts(delta.getActiveAccounts() + 1);
            case GRANTED -> delta.setGranted(delta.getGranted() + 1);
            case REVOKED -> delta.setRevoked(delta.getRevoked() + 1);
        }
    }

    /** Sends every buffered delta on (key: platform) and empties the buffer. */
    public void flush(ProcessorContext<String, Routed> context) {
        List<KeyValue<String, MetricsDelta>> pending = new ArrayList<>();
        try (KeyValueIterator<String, MetricsDelta> all = store.all()) {
            all.forEachRemaining(pending::add);
        }
        for (KeyValue<String, MetricsDelta> entry : pending) {
            MetricsDelta delta = entry.value;
            context.forward(new Record<>(delta.getPlatform(), new Routed.ToMetrics(delta), delta.getWindowStart()));
            store.delete(entry.key);
        }
    }
}
