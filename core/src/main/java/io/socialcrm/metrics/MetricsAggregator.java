package io.socialcrm.metrics;

import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds up the deltas of every task into hourly {@link ActivityMetrics} per platform and writes each
 * window that changed to {@code social-metrics} once per {@code metrics.flush.interval} (wall clock),
 * not once per delta: every task's buffers send their deltas for the same hours, and a replay of
 * history touches an hour many times. Which windows changed is known in memory only, so a started
 * processor writes out every window it holds: a total committed but not yet written (a crash
 * between the two) is written then, and the others are rewritten with the same values (the topic is
 * compacted, readers see no change). A window is dropped from the store once no
 * delta has reached it for two days of wall-clock time: by then it is final. (Not by stream time: a
 * replay of old data moves stream time by years while deltas of earlier hours are still on their way.)
 */
public final class MetricsAggregator extends ContextualProcessor<String, MetricsDeltas, String, Routed> {
    static final long IDLE_MS = Duration.ofDays(2).toMillis();
    private KeyValueStore<String, ActivityMetrics> totals;
    /** Wall-clock time each window last changed; after a restart every window counts as just changed. */
    private final Map<String, Long> touched = new HashMap<>();
    /** Windows changed since they were last written out, with their totals now. */
    private final Map<String, ActivityMetrics> changed = new LinkedHashMap<>();
    private final Duration flushInterval;

    public MetricsAggregator(Duration flushInterval) {
        this.flushInterval = flushInterval;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        super.init(context);
        totals = context.getStateStore(Names.METRICS_TOTALS);
        try (KeyValueIterator<String, ActivityMetrics> all = totals.all()) {
            all.forEachRemaining(kv -> changed.put(kv.key, kv.value));
        }
        context.schedule(Duration.ofHours(1), PunctuationType.WALL_CLOCK_TIME, this::expire);
        context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, now -> flush());
    }

    @Override
    public void process(Record<String, MetricsDeltas> record) {
        if (record.value() == null) {
            return;
        }
        long now = context().currentSystemTimeMs();
        for (MetricsDelta delta : record.value().getDeltas()) {
            add(delta, now);
        }
    }

    private void add(MetricsDelta delta, long now) {
        String key = delta.getPlatform() + "|" + delta.getWindowStart();
        ActivityMetrics current = totals.get(key);
        if (current == null) {
            current = ActivityMetrics.newBuilder().setPlatform(delta.getPlatform())
                    .setWindowStart(Instant.ofEpochMilli(delta.getWindowStart()))
                    .setWindowEnd(Instant.ofEpochMilli(delta.getWindowStart() + MetricsBuffer.HOUR_MS))
                    .setActivitiesSeen(0).setActivitiesAccepted(0).setDroppedNoConsent(0).setDistinctActiveAccounts(0)
                    .setConsentsGranted(0).setConsentsRevoked(0).build();
        }
        current.setActivitiesSeen(current.getActivitiesSeen() + delta.getSeen());
        current.setActivitiesAccepted(current.getActivitiesAccepted() + delta.getAccepted());
        current.setDroppedNoConsent(current.getDroppedNoConsent() + delta.getDroppedNoConsent());
        current.setDistinctActiveAccounts(current.getDistinctActiveAccounts() + delta.getActiveAccounts());
        current.setConsentsGranted(current.getConsentsGranted() + delta.getGranted());
        current.setConsentsRevoked(current.getConsentsRevoked() + delta.getRevoked());
        totals.put(key, current);
        touched.put(key, now);
        changed.put(key, current);
    }

    private void flush() {
        for (ActivityMetrics current : changed.values()) {
            context().forward(new Record<>(current.getPlatform(), (Routed) new Routed.ToMetricsOutput(current),
                    current.getWindowStart().toEpochMilli()));
        }
        changed.clear();
    }

    private void expire(long wallNow) {
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, ActivityMetrics> all = totals.all()) {
            all.forEachRemaining(kv -> {
                if (touched.computeIfAbsent(kv.key, k -> wallNow) < wallNow - IDLE_MS) {
                    idle.add(kv.key);
                }
            });
        }
        idle.forEach(key -> {
            totals.delete(key);
            touched.remove(key);
            changed.remove(key);
        });
    }
}
