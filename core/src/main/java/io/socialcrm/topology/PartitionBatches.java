package io.socialcrm.topology;

import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.LiveCommits;
import io.socialcrm.common.TopologySettings.Batching;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Sends what a task writes to a repartition topic within one commit as one record per target
 * partition instead of one per event: a batch of the events (each with its own key and timestamp)
 * keyed by its first event's key, so that Kafka's default partitioner puts it on the partition all
 * its events belong to. A batch of one goes as the event itself. The reader unpacks with
 * {@link io.socialcrm.errors.BatchedEvents#forEach}.
 *
 * <p><b>When a batch goes.</b> Exactly-once needs every record a commit's input produced to be
 * written inside that commit's transaction, and Kafka Streams offers a processor no hook before a
 * commit. Its store caches have one: a task flushes its caches before it commits (and the DSL emits a
 * KTable's changes from that flush). So a small cached store (in memory, no changelog: nothing in it
 * outlives a commit) is marked when events wait, and its flush sends the batches
 * ({@link BeforeCommit}). On a crash the waiting events are lost together with the transaction that
 * had not committed their input, which is read again. A batch also goes as soon as it holds
 * {@link #MAX_BATCH} events and when the cache evicts its mark (a full cache), and under
 * at-least-once on a wall-clock punctuation ({@link #sendEveryMs}): all only earlier than the commit.
 * When the store has no cache, events go one by one, as before.
 *
 * <p><b>Live events may go alone</b> ({@link Batching#BACKFILL}): an event whose time is within
 * {@code commit.live.lag} of the wall clock goes at once, after the batch waiting for its partition (so
 * a partition's events keep their order); older ones wait for the commit. The credits' hop does so by
 * default: batched, they made the accounts stage wait for them more often (Kafka Streams' task idling)
 * and p99 event to segment change at 40 % of capacity rose from about 230 to 440–560 ms, which a
 * backfill does not mind (docs/architecture.md).
 *
 * <p>The work this saves: in {@code bench}, {@code customer-events} was 0.86 of the 3.9 records written
 * per activity, one per event, and is 0.01; the credits to {@code account-commands} were 0.68.
 *
 * @param <V> the topic's value type; a batch is a value of the same type
 */
public final class PartitionBatches<V> extends ContextualProcessor<String, V, String, V> {
    /** The most events in one batch: bounds a batch record's size whatever the commit interval. */
    public static final int MAX_BATCH = 500;
    /**
     * Under at-least-once, the longest an event waits in a batch: a record is read as soon as it is
     * written there, so this is what batching adds (under exactly-once, nothing: see {@link #sendEveryMs}).
     */
    public static final long MAX_WAIT_MS = 50;

    /** One event waiting in a batch. */
    public record Batched<V>(String key, V value, long timestamp) {
    }

    private final String storeName;
    private final Batching when;
    private final long liveLagMs;
    private final int partitions;
    private final Serializer<String> keys;
    private final Function<List<Batched<V>>, V> pack;
    private final List<List<Batched<V>>> open = new ArrayList<>();
    /** Sends the waiting batches before the commit; null when events go one by one. */
    private BeforeCommit hook;

    /**
     * @param when       which events wait in batches: with {@link Batching#NEVER} every event goes alone,
     *                   at once (the store stays, unused)
     * @param liveLagMs  with {@link Batching#BACKFILL}: an event this close to the wall clock, or closer, goes at once
     * @param storeName  the marks store ({@link #marksStore})
     * @param partitions the repartition topic's partitions (as the topology creates it)
     * @param keys       the topic's key serializer (the partition is Kafka's default for these bytes)
     * @param pack       makes one value of several events, in order
     */
    public PartitionBatches(Batching when, long liveLagMs, String storeName, int partitions, Serializer<String> keys,
                            Function<List<Batched<V>>, V> pack) {
        this.when = when;
        this.liveLagMs = liveLagMs;
        this.storeName = storeName;
        this.partitions = partitions;
        this.keys = keys;
        this.pack = pack;
    }

    /** The store marked while batches wait: cached, in memory, no changelog ({@link BeforeCommit#store}). */
    public static StoreBuilder<KeyValueStore<Integer, Integer>> marksStore(String name) {
        return BeforeCommit.store(name);
    }

    @Override
    public void init(ProcessorContext<String, V> context) {
        super.init(context);
        open.clear();
        for (int p = 0; p < partitions; p++) {
            open.add(new ArrayList<>());
        }
        hook = when == Batching.NEVER ? null : BeforeCommit.bind(context, storeName, this::sendAll, true);
        if (hook != null && !BeforeCommit.exactlyOnce(context)) {
            context.schedule(Duration.ofMillis(sendEveryMs(context.appConfigs().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))),
                    PunctuationType.WALL_CLOCK_TIME, now -> sendAll());
        }
    }

    /**
     * Under at-least-once, how often the waiting batches go: half the commit interval, at most
     * {@link #MAX_WAIT_MS}, at least 5 ms (a record is read as soon as it is written, and commits
     * come every 30 s by default). Not under exactly-once, where nothing is read before the commit
     * anyway: sent in the middle of a transaction, right after the last commit, a batch's first
     * write to a partition met that commit's markers still being written ({@code
     * CONCURRENT_TRANSACTIONS}), and the producer's retries, 100 ms and more apart, put p99 event to
     * segment change in the default demo at 4.0 and 15.0 s (sent as the task commits: 0.4–5.9 s).
     */
    static long sendEveryMs(Object commitInterval) {
        long interval = commitInterval == null ? 100 : Long.parseLong(commitInterval.toString());
        return Math.max(5, Math.min(MAX_WAIT_MS, interval / 2));
    }

    /** The partition Kafka's default partitioner gives a record with this serialized key. */
    public static int partitionOf(byte[] keyBytes, int partitions) {
        return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
    }

    @Override
    public void process(Record<String, V> record) {
        if (hook == null || record.key() == null || record.value() == null) {
            context().forward(record);
            return;
        }
        int partition = partitionOf(keys.serialize(null, record.key()), partitions);
        if (when == Batching.BACKFILL && LiveCommits.live(record.timestamp(), context().currentSystemTimeMs(), liveLagMs)) {
            send(partition); // what waits for this partition goes first
            context().forward(record);
            return;
        }
        List<Batched<V>> batch = open.get(partition);
        batch.add(new Batched<>(record.key(), record.value(), record.timestamp()));
        if (batch.size() >= MAX_BATCH) {
            send(partition);
        } else {
            hook.mark();
        }
    }

    private void sendAll() {
        for (int p = 0; p < partitions; p++) {
            send(p);
        }
    }

    private void send(int partition) {
        List<Batched<V>> batch = open.get(partition);
        if (batch.isEmpty()) {
            return;
        }
        Batched<V> first = batch.get(0);
        Record<String, V> out;
        if (batch.size() == 1) {
            out = new Record<>(first.key(), first.value(), first.timestamp());
        } else {
            long newest = Long.MIN_VALUE;
            for (Batched<V> b : batch) {
                newest = Math.max(newest, b.timestamp());
            }
            out = new Record<>(first.key(), pack.apply(List.copyOf(batch)), newest);
        }
        batch.clear();
        context().forward(out);
    }
}
