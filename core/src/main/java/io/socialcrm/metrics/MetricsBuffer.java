package io.socialcrm.metrics;

import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.Routed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Anonymous per-platform, per-hour counts of one processor in one task, kept until the next flush
 * sends them on to the metrics stage. Being in a (changelogged, cached) store, an uncommitted count
 * is rolled back with the input it came from: no loss, no double count under exactly-once.
 *
 * <p>All of a processor's counts are one record of the store, under the processor's own key
 * ({@code owner}), held in memory and written to the store once before each commit that follows a
 * change ({@link BeforeCommit}, with a marks store of its own): the changelog gets one record a
 * commit, however many hours the commit's activities touched (earlier versions kept one record a
 * platform and hour, which a backfill, whose event time runs hours a second, wrote for nearly every
 * activity), and a count costs no serialization of the record (written through on every count until
 * 2026-12-04, that was 8 % of the stream thread in a {@code bench} recording). Where the hook cannot be had (a
 * processor run outside Kafka Streams) every change is written through at once. The buffer's store has
 * no cache: the hook runs while the task flushes its caches, and a write into a cache already flushed
 * would miss the commit. A flush sends one record a platform. Once the buffer holds
 * {@link #MAX_WINDOWS} windows it sends all but those of the hour just counted (likely still being
 * counted) without waiting for its interval, which bounds the record each commit writes.
 */
public final class MetricsBuffer {
    public static final long HOUR_MS = 3_600_000L;
    /** Windows (platform and hour) held before the buffer flushes without waiting for its interval. */
    static final int MAX_WINDOWS = 32;

    /** What is counted. */
    public enum Count { SEEN, ACCEPTED, DROPPED_NO_CONSENT, ACTIVE_ACCOUNT, GRANTED, REVOKED }

    private final ProcessorContext<String, Routed> context;
    private final KeyValueStore<String, MetricsDeltas> store;
    private final String owner;
    /** The counts held, by platform and hour: the store's record under {@link #owner} once written. */
    private final Map<Window, MetricsDelta> windows = new LinkedHashMap<>();
    /** Writes {@link #windows} to the store before the next commit; null: written at once. */
    private BeforeCommit beforeCommit;

    /** A platform and hour (a record key, not a concatenated string: looked up on every count). */
    private record Window(String platform, long hour) {
    }

    private MetricsBuffer(ProcessorContext<String, Routed> context, String storeName, String owner) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.owner = owner;
        load();
    }

    /**
     * The buffer of processor {@code owner} in the store {@code storeName} of the context's task,
     * which {@linkplain #flush sends} its counts downstream of that processor. What the store holds for
     * it is taken up again, and so are the records earlier versions left there, with the next send: one
     * a platform and hour (keyed {@code platform|hour}), and another processor's (the consent
     * recorder's, which until 2026-12-04 counted into the gate's store and left its counts for the gate
     * to send). Each processor that counts has a store of its own, so nothing else is written there
     * once the task has started: the store is read whole only here.
     */
    public static MetricsBuffer sending(ProcessorContext<String, Routed> context, String storeName, String owner) {
        MetricsBuffer buffer = new MetricsBuffer(context, storeName, owner);
        if (buffer.takeUp(key -> !key.equals(owner))) {
            buffer.write();
        }
        return buffer;
    }

    /**
     * The same, sent also every {@code flushEvery} of wall-clock time ({@code metrics.flush}), so that
     * counts reach {@code social-metrics} even when no record comes, and written to the store once before
     * each commit through the marks store {@code marksStore} ({@link #marksStore}); call in the processor's
     * {@code init}.
     */
    public static MetricsBuffer sending(ProcessorContext<String, Routed> context, String storeName, String owner, Duration flushEvery,
                                        String marksStore) {
        MetricsBuffer buffer = sending(context, storeName, owner);
        buffer.beforeCommit = BeforeCommit.bind(context, marksStore, buffer::write, true);
        context.schedule(flushEvery, PunctuationType.WALL_CLOCK_TIME, now -> buffer.flush());
        return buffer;
    }

    /** The store that marks a buffer's record as waiting to be written (memory only, one key). */
    public static StoreBuilder<KeyValueStore<Integer, Integer>> marksStore(String name) {
        return BeforeCommit.store(name);
    }

    private void load() {
        windows.clear();
        MetricsDeltas held = store.get(owner);
        if (held != null) {
            held.getDeltas().forEach(this::add);
        }
    }

    public static long hourStart(long time) {
        return Math.floorDiv(time, HOUR_MS) * HOUR_MS;
    }

    public void count(String platform, long eventTime, Count what) {
        count(platform, eventTime, what, null);
    }

    /** Counts {@code what} and, unless null, {@code also} in the same hour (an activity is seen, and accepted or dropped). */
    public void count(String platform, long eventTime, Count what, Count also) {
        MetricsDelta delta = window(platform, hourStart(eventTime));
        add(delta, what);
        if (also != null) {
            add(delta, also);
        }
        if (windows.size() >= MAX_WINDOWS) {
            send(delta.getWindowStart());
        } else {
            changed();
        }
    }

    /** Sends what is held on, one record a platform (key: platform), and empties the store. */
    public void flush() {
        send(null);
    }

    /** Sends what is held, but the windows of {@code keepHour} unless they are all it holds (null: keeps none). */
    private void send(Long keepHour) {
        if (windows.isEmpty()) {
            return;
        }
        boolean keep = keepHour != null && windows.values().stream().anyMatch(d -> d.getWindowStart() != keepHour);
        Map<String, List<MetricsDelta>> byPlatform = new LinkedHashMap<>();
        for (Iterator<MetricsDelta> held = windows.values().iterator(); held.hasNext(); ) {
            MetricsDelta delta = held.next();
            if (!keep || delta.getWindowStart() != keepHour) {
                byPlatform.computeIfAbsent(delta.getPlatform(), p -> new ArrayList<>()).add(delta);
                held.remove();
            }
        }
        byPlatform.forEach((platform, deltas) -> {
            long newest = deltas.stream().mapToLong(MetricsDelta::getWindowStart).max().orElseThrow();
            context.forward(new Record<>(platform, new Routed.ToMetrics(new MetricsDeltas(deltas)), newest));
        });
        changed();
    }

    /**
     * Adds the records of the store whose keys {@code which} accepts (another processor's, or of the
     * earlier layout) to what this buffer holds, and removes them from the store; true if there were any.
     */
    private boolean takeUp(Predicate<String> which) {
        List<String> taken = new ArrayList<>();
        try (KeyValueIterator<String, MetricsDeltas> all = store.all()) {
            all.forEachRemaining(kv -> {
                if (which.test(kv.key)) {
                    taken.add(kv.key);
                    kv.value.getDeltas().forEach(this::add);
                }
            });
        }
        taken.forEach(store::delete);
        return !taken.isEmpty();
    }

    /** The store is to hold what {@link #windows} holds now: before the commit, or at once without the hook. */
    private void changed() {
        if (beforeCommit != null) {
            beforeCommit.mark();
        } else {
            write();
        }
    }

    private void write() {
        if (windows.isEmpty()) {
            store.delete(owner);
        } else {
            store.put(owner, new MetricsDeltas(new ArrayList<>(windows.values())));
        }
    }

    private MetricsDelta window(String platform, long hour) {
        // the constructor, not the builder: Avro's builder looks every unset field's default up in a shared map
        return windows.computeIfAbsent(new Window(platform, hour), w -> new MetricsDelta(platform, hour, 0L, 0L, 0L, 0L, 0L, 0L));
    }

    private void add(MetricsDelta from) {
        MetricsDelta to = window(from.getPlatform(), from.getWindowStart());
        to.setSeen(to.getSeen() + from.getSeen());
        to.setAccepted(to.getAccepted() + from.getAccepted());
        to.setDroppedNoConsent(to.getDroppedNoConsent() + from.getDroppedNoConsent());
        to.setActiveAccounts(to.getActiveAccounts() + from.getActiveAccounts());
        to.setGranted(to.getGranted() + from.getGranted());
        to.setRevoked(to.getRevoked() + from.getRevoked());
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
}
