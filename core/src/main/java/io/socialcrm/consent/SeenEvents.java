package io.socialcrm.consent;

import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.Names;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The event hashes one task of the consent gate has seen within the de-duplication window, durable
 * at about one changelog record per task and commit instead of one per event.
 *
 * <ul>
 *   <li>{@code seen-batches} (in memory, changelogged, no cache) is the durable record: the hashes
 *       and their event times in batches of up to {@link #PER_BATCH}, keyed by a sequence number.
 *       The open batch is written once before each commit that follows a hash it took
 *       ({@link BeforeCommit}, marks in {@code seen-batches-marks}) and when it is sealed, so a
 *       commit sends one changelog record a task (two when a batch fills up in between). Restoring
 *       it (after a crash, on another instance, after an upgrade) gives back the hash of every
 *       activity whose processing was committed.</li>
 *   <li>{@code seen-index} (RocksDB, no changelog) answers "was this hash seen within the window"
 *       with a point lookup: hash → event time (to the second: the window's edge is kept within 1 s).
 *       A batch's hashes go into it together, in one RocksDB write batch, when the batch is sealed
 *       (or the task closes); until then a lookup finds them in the open batch, in the heap. The
 *       index is derived from the batches: when a task starts, the hashes of every batch it may
 *       not hold are written into it again, in write batches of {@link #REBUILD_CHUNK}. Which
 *       batches those are, a marker written at a clean close says (the last batch it holds whole);
 *       without one (a new instance, or a crash: exactly-once wipes a task's local state then)
 *       all of them. When a batch expires, its hashes are deleted from the
 *       index unless a later event put them there again. An index that missed expiries (the task
 *       ran on another instance meanwhile) keeps those hashes until Kafka Streams deletes the
 *       task's directory there ({@code state.cleanup.delay.ms} after it left); a lookup compares
 *       the event times, so they never make an event a duplicate past the window.</li>
 *   <li>the in-heap {@link SeenFilter} in front of the index answers "never seen" for nearly every
 *       event without a RocksDB lookup; it is filled from the batches when the task starts.</li>
 * </ul>
 *
 * <p>{@code seen-events}, the logged window store of earlier versions (a changelog record an event),
 * is read once when a task starts: its hashes go into batches and its entries are removed.
 *
 * <p>Memory: the batches are held in the heap, 12 bytes an event within the window (a 7-day window
 * of 10 million events: about 120 MB), beside the filter's 1.2 bytes an event.
 */
public final class SeenEvents {
    /** Hashes a batch holds: 12 bytes each, a batch of 3 KB when sealed. */
    static final int PER_BATCH = 256;
    /** Index entries written at once when the index is rebuilt (one RocksDB write batch each). */
    static final int REBUILD_CHUNK = 10_000;
    private static final int HEADER = Long.BYTES;
    private static final int ENTRY = Long.BYTES + Integer.BYTES;
    /** The key of the index's clean-close marker: one byte, never an 8-byte event hash. */
    private static final Bytes MARKER = Bytes.wrap(new byte[] {0});

    private final KeyValueStore<Long, byte[]> batches;
    private final KeyValueStore<Bytes, Integer> index;
    private final SeenFilter filter;
    /**
     * The de-duplication window; also how long, in stream time, a batch is kept past the newest event
     * time in it (and the filter keeps its hashes): a duplicate carries its original's event time, so
     * it is caught if it arrives before the stream time is a window past that.
     */
    private final long windowMs;
    /** The sealed batches, oldest first: {sequence number, newest event time}. */
    private final Deque<long[]> sealed = new ArrayDeque<>();
    private final ByteBuffer open = ByteBuffer.allocate(HEADER + PER_BATCH * ENTRY);
    private long openSequence;
    private int openCount;
    private long openNewest = Long.MIN_VALUE;
    /** Whether the open batch took hashes since it was last written to {@code seen-batches}. */
    private boolean openChanged;
    /** Whether {@code seen-batches} holds the open batch (with at least its first hash). */
    private boolean openStored;
    /** Writes the open batch before the task's commit; null: at every hash. */
    private BeforeCommit writeBack;
    /** The stream time of the last {@link #contains} question. */
    private long streamTime = Long.MIN_VALUE;
    /** The last batch this task read from {@code seen-batches} when it started: their expiry asks the index first. */
    private long loadedUpTo = -1;
    /**
     * Hashes found in the window's record but older than the window, as their event came again (an
     * event id used again past the window): the index holds their newer time, and the expiry of the
     * batch with the older one must leave it. A rare case, so the batches of this run delete their
     * other hashes from the index without reading it first.
     */
    private final Set<Long> readded = new HashSet<>();

    /**
     * The store {@code seen-batches}: in memory, changelogged, without a cache: the open batch is written
     * once before each commit ({@link BeforeCommit}), and when it is sealed.
     */
    public static StoreBuilder<KeyValueStore<Long, byte[]>> batchesStore() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.SEEN_BATCHES), Serdes.Long(), Serdes.ByteArray());
    }

    /** The store {@code seen-index}: RocksDB, hash → event second, without a changelog (rebuilt from the batches). */
    public static StoreBuilder<KeyValueStore<Bytes, Integer>> indexStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SEEN_INDEX), Serdes.Bytes(), Serdes.Integer())
                .withLoggingDisabled();
    }

    /** The store {@code seen-events} of earlier versions (changelogged), read once and emptied when a task starts. */
    public static StoreBuilder<WindowStore<Bytes, byte[]>> earlierStore(Duration window) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(Names.SEEN_EVENTS, window, window, false),
                Serdes.Bytes(), Serdes.ByteArray());
    }

    private SeenEvents(KeyValueStore<Long, byte[]> batches, KeyValueStore<Bytes, Integer> index, long windowMs) {
        this.batches = batches;
        this.index = index;
        this.windowMs = windowMs;
        this.filter = new SeenFilter(windowMs);
    }

    /**
     * The hashes of the context's task: its stores {@code seen-batches}, {@code seen-index} and the
     * earlier {@code seen-events} (taken up and emptied), read into the filter and the index.
     */
    static SeenEvents of(ProcessorContext<?, ?> context, long windowMs) {
        SeenEvents seen = new SeenEvents(context.getStateStore(Names.SEEN_BATCHES), context.getStateStore(Names.SEEN_INDEX),
                windowMs);
        seen.writeBack = BeforeCommit.bind(context, Names.SEEN_BATCHES_MARKS, seen::writeOpen, true);
        seen.load();
        seen.takeUp(context.getStateStore(Names.SEEN_EVENTS));
        return seen;
    }

    private void load() {
        Integer marker = index.get(MARKER);
        long indexed = marker == null ? -1 : marker;
        long last = -1;
        List<KeyValue<Bytes, Integer>> rebuild = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> all = batches.all()) {
            while (all.hasNext()) {
                KeyValue<Long, byte[]> batch = all.next();
                boolean reindex = batch.key > indexed;
                long newest = forEach(batch.value, (hash, time) -> {
                    filter.put(hash, time);
                    if (reindex) {
                        rebuild.add(KeyValue.pair(Bytes.wrap(hash), seconds(time)));
                        if (rebuild.size() == REBUILD_CHUNK) {
                            index.putAll(rebuild);
                            rebuild.clear();
                        }
                    }
                });
                sealed.addLast(new long[] {batch.key, newest});
                last = batch.key;
            }
        }
        index.putAll(rebuild);
        // a batch left open by the last run is not added to: the next run's hashes start a batch of their own
        openSequence = last + 1;
        loadedUpTo = last;
    }

    /** Calls {@code each} with every hash and event time of a batch; returns the newest event time. */
    private static long forEach(byte[] batch, BiConsumer<byte[], Long> each) {
        ByteBuffer entries = ByteBuffer.wrap(batch);
        long base = entries.getLong();
        long newest = Long.MIN_VALUE;
        while (entries.remaining() >= ENTRY) {
            byte[] hash = new byte[Long.BYTES];
            entries.get(hash);
            long time = base + entries.getInt();
            each.accept(hash, time);
            newest = Math.max(newest, time);
        }
        return newest;
    }

    /** Moves the hashes of an earlier version's store into batches and removes them from it. */
    private void takeUp(WindowStore<Bytes, byte[]> earlier) {
        try (KeyValueIterator<Windowed<Bytes>, byte[]> all = earlier.all()) {
            while (all.hasNext()) {
                Windowed<Bytes> entry = all.next().key;
                // 8-byte keys, or the 16-byte hashes of versions before December 2026, whose first 8 bytes are today's
                add(Arrays.copyOf(entry.key().get(), Long.BYTES), entry.window().start());
                earlier.put(entry.key(), null, entry.window().start());
                loadedUpTo = openSequence; // an event may be there twice (a 16-byte and an 8-byte hash): expiry asks the index
            }
        }
    }

    /** Whether an event with this hash was seen within the window of its event time {@code time}. */
    boolean contains(byte[] hash, long time, long streamTime) {
        this.streamTime = streamTime;
        filter.expire(streamTime);
        expireBatches();
        if (!filter.mightContain(hash, streamTime)) {
            return false;
        }
        long seenAt = inOpenBatch(hash);
        if (seenAt == Long.MIN_VALUE) {
            Integer indexed = index.get(Bytes.wrap(hash));
            if (indexed == null) {
                return false;
            }
            seenAt = Integer.toUnsignedLong(indexed) * 1000;
        }
        if (Math.abs(seenAt - time) <= windowMs) {
            return true;
        }
        readded.add(ByteBuffer.wrap(hash).getLong());
        return false;
    }

    /** The event time of the open batch's latest entry of {@code hash}, or {@link Long#MIN_VALUE}. */
    private long inOpenBatch(byte[] hash) {
        if (openCount == 0) {
            return Long.MIN_VALUE;
        }
        long wanted = ByteBuffer.wrap(hash).getLong();
        for (int at = HEADER + (openCount - 1) * ENTRY; at >= HEADER; at -= ENTRY) {
            if (open.getLong(at) == wanted) {
                return open.getLong(0) + open.getInt(at + Long.BYTES);
            }
        }
        return Long.MIN_VALUE;
    }

    /**
     * Records a hash: into the filter at once, into the open batch (where a lookup finds it until the
     * batch is sealed and its hashes go into the index together), durably with the task's next commit.
     */
    void add(byte[] hash, long time) {
        filter.put(hash, time);
        if (openCount > 0 && !fits(time)) {
            seal();
        }
        if (openCount == 0) {
            open.clear();
            open.putLong(time);
        }
        open.put(hash).putInt((int) (time - open.getLong(0)));
        openCount++;
        openNewest = Math.max(openNewest, time);
        openChanged = true;
        if (writeBack == null) {
            writeOpen();
        } else {
            // written once before the commit: a copy of the open batch (1.5 KB on average) and a store
            // write for every hash were 5 % of the stream thread in bench
            writeBack.mark();
        }
        if (openCount == 1) {
            expireBatches(); // the newest batch, kept until this one was written, may go once it is
        }
        if (openCount == PER_BATCH) {
            seal();
        }
    }

    /**
     * Writes the open batch to {@code seen-batches} if it took hashes since it was last written: before
     * each commit (also the one that follows a clean close), and when it is sealed.
     */
    private void writeOpen() {
        if (openChanged && openCount > 0) {
            batches.put(openSequence, Arrays.copyOf(open.array(), open.position()));
            openChanged = false;
            openStored = true;
        }
    }

    private boolean fits(long time) {
        long offset = time - open.getLong(0);
        return offset >= Integer.MIN_VALUE && offset <= Integer.MAX_VALUE;
    }

    private void seal() {
        writeOpen();
        indexOpenBatch();
        sealed.addLast(new long[] {openSequence, openNewest});
        openSequence++;
        openCount = 0;
        openNewest = Long.MIN_VALUE;
        openStored = false;
    }

    /**
     * Puts the open batch's hashes into the index in one write batch (a later entry of a hash after an
     * earlier one, as the lookups in the open batch answer): one RocksDB write a batch instead of one
     * an event, which was an eighth of the in-process path's time.
     */
    private void indexOpenBatch() {
        if (openCount == 0) {
            return;
        }
        List<KeyValue<Bytes, Integer>> entries = new ArrayList<>(openCount);
        forEach(Arrays.copyOf(open.array(), open.position()), (hash, time) -> entries.add(KeyValue.pair(Bytes.wrap(hash), seconds(time))));
        index.putAll(entries);
    }

    /**
     * Removes the batches whose every hash is older than the filter keeps, and their hashes from the
     * index (those a later event has not put there again). The store always keeps its newest batch,
     * so that sequence numbers never start again from 0: a clean-close marker on some instance's
     * index may name a number already used.
     *
     * <p>Whether a later event put a hash there again, the index says (its time is the later one);
     * it is asked only for the hashes this run saw come again ({@link #readded}) and for the batches
     * read when the task started (an earlier run's may hold such hashes). Asking for every hash was
     * a lookup of an old entry, on the last level of the index, for every event that expired: 7 % of
     * the stream thread in a {@code bench} run of a million activities.
     */
    private void expireBatches() {
        while (!sealed.isEmpty() && sealed.peekFirst()[1] + windowMs < streamTime && (sealed.size() > 1 || openCount > 0)) {
            long sequence = sealed.pollFirst()[0];
            byte[] batch = batches.get(sequence);
            if (batch != null) {
                boolean loaded = sequence <= loadedUpTo;
                List<KeyValue<Bytes, Integer>> gone = new ArrayList<>();
                forEach(batch, (hash, time) -> {
                    Bytes key = Bytes.wrap(hash);
                    if (!loaded && (readded.isEmpty() || !readded.contains(ByteBuffer.wrap(hash).getLong()))) {
                        gone.add(KeyValue.pair(key, null));
                    } else if (seconds(time).equals(index.get(key))) { // the newest entry of the hash: it goes
                        gone.add(KeyValue.pair(key, null));
                        readded.remove(ByteBuffer.wrap(hash).getLong());
                    }
                });
                index.putAll(gone);
            }
            batches.delete(sequence);
        }
    }

    /**
     * At a clean close: puts the open batch's hashes into the index and marks it as holding every batch
     * up to the open one, so that the next start on this state directory writes only later batches
     * (another instance's) into it again.
     */
    void close() {
        // the open batch reaches seen-batches in the commit that follows a clean close (Kafka Streams
        // closes the processors first, then commits): nothing is written to a changelog here
        indexOpenBatch();
        index.put(MARKER, (int) (openCount > 0 ? openSequence : openSequence - 1));
    }

    /** An event time in the index: whole seconds, unsigned (until 2106), 4 bytes instead of 8. */
    private static Integer seconds(long time) {
        return (int) Math.floorDiv(time, 1000L);
    }
}
