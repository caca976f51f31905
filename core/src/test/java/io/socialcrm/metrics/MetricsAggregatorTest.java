package io.socialcrm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.serde.InternalSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The metrics stage on its own: windows written once per flush, and all of them again at start. */
class MetricsAggregatorTest {
    private static final Duration FLUSH = Duration.ofSeconds(5);
    private static final long HOUR = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();

    @SuppressWarnings("deprecation")
    private static MockProcessorContext<String, Routed> context(KeyValueStore<String, ActivityMetrics> totals) {
        MockProcessorContext<String, Routed> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(HOUR);
        totals.init(context.getStateStoreContext(), totals);
        context.addStateStore(totals);
        return context;
    }

    private static KeyValueStore<String, ActivityMetrics> store() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.METRICS_TOTALS), Serdes.String(),
                InternalSerde.of(ActivityMetrics.class)).withLoggingDisabled().build();
    }

    private static void flush(MockProcessorContext<String, Routed> context) {
        context.scheduledPunctuators().stream().filter(p -> p.getInterval().equals(FLUSH))
                .forEach(p -> p.getPunctuator().punctuate(0));
    }

    private static List<ActivityMetrics> written(MockProcessorContext<String, Routed> context) {
        List<ActivityMetrics> out = context.forwarded().stream()
                .map(f -> ((Routed.ToMetricsOutput) f.record().value()).metrics()).toList();
        context.resetForwards();
        return out;
    }

    private static MetricsDeltas seen(String platform, long hour, int n) {
        return new MetricsDeltas(List.of(MetricsDelta.newBuilder().setPlatform(platform).setWindowStart(hour).setSeen(n).build()));
    }

    @Test
    void changedWindowsAreWrittenOncePerFlushAndEveryHeldWindowAgainAtStart() {
        KeyValueStore<String, ActivityMetrics> totals = store();
        MockProcessorContext<String, Routed> first = context(totals);
        MetricsAggregator aggregator = new MetricsAggregator(FLUSH);
        aggregator.init(first);
        for (int task = 0; task < 4; task++) {
            aggregator.process(new Record<>("twitter", seen("twitter", HOUR, 10), HOUR));
        }
        aggregator.process(new Record<>("twitter", seen("twitter", HOUR + MetricsBuffer.HOUR_MS, 1), HOUR));
        assertEquals(List.of(), written(first), "nothing before the flush");
        flush(first);
        List<ActivityMetrics> out = written(first);
        assertEquals(2, out.size(), "one record per window: " + out);
        assertEquals(40, out.get(0).getActivitiesSeen());
        flush(first);
        assertEquals(List.of(), written(first), "unchanged windows are not written again");

        // a new processor on the same store (a restart, a task moved): every window it holds goes out again,
        // so a total committed before a crash that came before its flush still reaches social-metrics
        MockProcessorContext<String, Routed> second = context(totals);
        new MetricsAggregator(FLUSH).init(second);
        flush(second);
        assertEquals(List.of(40L, 1L), written(second).stream().map(ActivityMetrics::getActivitiesSeen).toList());
    }
}
