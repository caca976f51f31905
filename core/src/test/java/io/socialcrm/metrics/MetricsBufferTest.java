package io.socialcrm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.metrics.MetricsBuffer.Count;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.testing.MockStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * A task's metrics buffer: however many hours its counts touch, one record of the store (so a commit
 * writes its changelog once), one record a platform when it flushes, nothing lost across a restart or
 * from a store written by the earlier layout (a record a platform and hour).
 */
class MetricsBufferTest {
    private static final long HOUR = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();
    private final MockProcessorContext<String, Routed> context = new MockProcessorContext<>();
    private final KeyValueStore<String, MetricsDeltas> store = MockStores.inMemory(context, Names.METRICS_BUFFER,
            MetricsDeltasSerde.INSTANCE);

    @Test
    void countsOfManyHoursAreOneRecordAndOneFlushRecordAPlatform() {
        MetricsBuffer buffer = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "gate");
        for (int h = 0; h < 10; h++) {
            buffer.count("twitter", HOUR + h * MetricsBuffer.HOUR_MS + 1, Count.SEEN, Count.ACCEPTED);
            buffer.count("bluesky", HOUR + h * MetricsBuffer.HOUR_MS + 2, Count.SEEN, Count.DROPPED_NO_CONSENT);
        }
        buffer.count("twitter", HOUR + 5, Count.SEEN, Count.ACCEPTED);
        assertEquals(List.of("gate"), keys(), "one record for all twenty windows");
        assertEquals(20, store.get("gate").getDeltas().size());
        assertEquals(List.of(), context.forwarded(), "nothing sent before the flush");

        buffer.flush();
        Map<String, List<MetricsDelta>> sent = sent();
        assertEquals(List.of("bluesky", "twitter"), List.copyOf(sent.keySet()), "one record a platform");
        assertEquals(10, sent.get("twitter").size());
        MetricsDelta first = sent.get("twitter").get(0);
        assertEquals(HOUR, first.getWindowStart());
        assertEquals(2, first.getSeen());
        assertEquals(2, first.getAccepted());
        assertEquals(10, sent.get("bluesky").stream().mapToLong(MetricsDelta::getDroppedNoConsent).sum());
        assertEquals(List.of(), keys(), "emptied by the flush");
        buffer.flush();
        assertEquals(Map.of(), sent(), "an empty buffer sends nothing");
    }

    @Test
    void aFullBufferFlushesWithoutWaitingForItsInterval() {
        MetricsBuffer buffer = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "gate");
        for (int h = 0; h < MetricsBuffer.MAX_WINDOWS + 3; h++) {
            buffer.count("twitter", HOUR + h * MetricsBuffer.HOUR_MS, Count.SEEN);
        }
        assertEquals(MetricsBuffer.MAX_WINDOWS - 1, sent().get("twitter").size(),
                "sent once it held the most windows it keeps, but the hour being counted");
        assertEquals(4, store.get("gate").getDeltas().size(), "that hour and the three after it held");
    }

    @Test
    void aRestartedProcessorTakesUpWhatItsStoreHolds() {
        MetricsBuffer before = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "gate");
        before.count("twitter", HOUR, Count.SEEN);

        MetricsBuffer after = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "gate");
        after.count("twitter", HOUR, Count.SEEN);
        after.flush();
        assertEquals(2, sent().get("twitter").get(0).getSeen(), "the count before the restart and the one after");
    }

    @Test
    void whatAnotherProcessorLeftInTheStoreIsSentOnceWithThisBuffersCounts() {
        // versions before 2026-12-04: the consent recorder counted into the gate's store for the gate to send
        store.put("consent-recorder", new MetricsDeltas(List.of(
                new MetricsDelta("twitter", HOUR, 0L, 0L, 0L, 0L, 2L, 0L), new MetricsDelta("bluesky", HOUR, 0L, 0L, 0L, 0L, 0L, 1L))));
        MetricsBuffer gate = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "gate");
        gate.count("twitter", HOUR, Count.SEEN);
        gate.flush();
        Map<String, List<MetricsDelta>> sent = sent();
        MetricsDelta twitter = sent.get("twitter").get(0);
        assertEquals(1, twitter.getSeen());
        assertEquals(2, twitter.getGranted(), "the recorder's counts, in the same window's delta");
        assertEquals(1, sent.get("bluesky").get(0).getRevoked());
        assertEquals(List.of(), keys());

        gate.count("twitter", HOUR, Count.SEEN);
        gate.flush();
        assertEquals(0, sent().get("twitter").get(0).getGranted(), "sent once, not again");
    }

    @Test
    void buffersOfTwoProcessorsInTheirOwnStoresCountAndSendIndependently() {
        MockStores.inMemory(context, Names.CONSENT_METRICS_BUFFER, MetricsDeltasSerde.INSTANCE);
        MetricsBuffer gate = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "consent-gate");
        MetricsBuffer recorder = MetricsBuffer.sending(context, Names.CONSENT_METRICS_BUFFER, "consent-recorder");
        for (int h = 0; h < 3 * MetricsBuffer.MAX_WINDOWS; h++) { // consents recorded over many hours
            recorder.count("twitter", HOUR + h * MetricsBuffer.HOUR_MS, Count.GRANTED);
        }
        gate.count("twitter", HOUR, Count.SEEN);
        recorder.flush();
        long granted = 0;
        for (var f : context.forwarded()) {
            granted += ((Routed.ToMetrics) f.record().value()).deltas().getDeltas().stream().mapToLong(MetricsDelta::getGranted).sum();
        }
        context.resetForwards();
        assertEquals(3 * MetricsBuffer.MAX_WINDOWS, granted, "the recorder's buffer stays bounded and loses nothing");
        gate.flush();
        Map<String, List<MetricsDelta>> sent = sent();
        assertEquals(1, sent.get("twitter").get(0).getSeen());
        assertEquals(0, sent.get("twitter").get(0).getGranted(), "the gate sends only its own counts");
    }

    @Test
    void recordsOfTheEarlierLayoutAreTakenUpNotLost() {
        store.put("twitter|" + HOUR, new MetricsDeltas(List.of(
                MetricsDelta.newBuilder().setPlatform("twitter").setWindowStart(HOUR).setSeen(7).build())));
        MetricsBuffer buffer = MetricsBuffer.sending(context, Names.METRICS_BUFFER, "gate");
        assertEquals(List.of("gate"), keys(), "the old record replaced by the processor's own");
        assertNull(store.get("twitter|" + HOUR));
        buffer.count("twitter", HOUR, Count.SEEN);
        buffer.flush();
        assertEquals(8, sent().get("twitter").get(0).getSeen());
    }

    @Test
    void theSerdeReadsADeltaWrittenBeforeBatchesAsABatchOfOne() {
        MetricsDelta old = MetricsDelta.newBuilder().setPlatform("twitter").setWindowStart(HOUR).setSeen(3).setRevoked(1).build();
        byte[] written = InternalSerde.of(MetricsDelta.class).serialize("metrics-deltas", old);
        assertEquals(new MetricsDeltas(List.of(old)), MetricsDeltasSerde.INSTANCE.deserializer().deserialize("metrics-deltas", written));
        MetricsDeltas batch = new MetricsDeltas(List.of(old, old));
        assertEquals(batch, MetricsDeltasSerde.INSTANCE.deserializer().deserialize("metrics-deltas",
                MetricsDeltasSerde.INSTANCE.serializer().serialize("metrics-deltas", batch)));
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, MetricsDeltas> all = store.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    /** What the buffer sent since the last call, by platform (one record each, or the test fails). */
    private Map<String, List<MetricsDelta>> sent() {
        Map<String, List<MetricsDelta>> sent = new TreeMap<>();
        context.forwarded().forEach(f -> {
            List<MetricsDelta> previous = sent.put(f.record().key(), ((Routed.ToMetrics) f.record().value()).deltas().getDeltas());
            assertNull(previous, "two records for " + f.record().key());
        });
        context.resetForwards();
        return sent;
    }
}
