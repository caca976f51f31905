package io.socialcrm.consent;

import io.socialcrm.common.Names;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The event hashes one task of the consent gate has seen within the de-duplication window, durable
 * at about one changelog record per task and commit instead of one per event.
 *
 * <ul>
 *   <li>{@code seen-batches} (in memory, changelogged, cached) is the durable record: the hashes in
 *       batches of up to {@link #PER_BATCH}, keyed by a sequence number. The open batch is written
 *       again with each hash it takes, and the store's cache keeps only the last write of a key, so a
 *       commit sends one changelog record a task (two when a batch fills up in between). Restoring
 *       it after a crash, on another instance or after an upgrade gives back every hash whose
 *       activity was committed, and no other under exactly-once.</li>
 *   <li>{@code seen-index} (RocksDB, no changelog) answers "was this hash seen within the window":
 *       a point in a window store, expired segment by segment. It is derived from the batches: when
 *       a task starts, the hashes of every batch it may not hold are put into it again. Which those
 *       are, a marker written at a clean close says (the last batch it holds whole); without a marker
 *       (a new instance; exactly-once wipes a task's local state after a crash) all of them.</li>
 *   <li>the in-heap {@link SeenFilter} in front of the index answers "never seen" for nearly every
 *       event without a RocksDB lookup; it is filled from the batches when the task starts.</li>
 * </ul>
 *
 * <p>{@code seen-events}, the logged window store of earlier versions (a changelog record an event),
 * is read once when a task starts: its hashes go into a batch and its entries are removed.
 *
 * <p>Memory: the batches are held in the heap, 12 bytes an event within the window (a 7-day window
 * of 10 million events: about 120 MB), beside the filter's 1.2 bytes an event.
 */
final class SeenEvents {
    /** Hashes a batch holds: at 12 bytes each, rewriting the open batch copies 1.5 KB an event on average. */
    static final int PER_BATCH = 256;
    private static final int HEADER = Long.BYTES;
    private static final int ENTRY = Long.BYTES + Integer.BYTES;
    /** The index stores only keys: an empty value (not null, which would delete). */
    private static final byte[] SEEN = {};
    /** The key of the index's clean-close marker: one byte, never an 8-byte event hash. */
    private static final Bytes MARKER = Bytes.wrap(new byte[] {0});

    private final KeyValueStore<Long, byte[]> batches;
    private final WindowStore<Bytes, byte[]> index;
    private final SeenFilter filter;
    private final long windowMs;
    /** How long a batch is kept past the newest event time in it: as long as the filter keeps its hashes. */
    private final long keepMs;
    /** The sealed batches, oldest first: {sequence number, newest event time}. */
    private final Deque<long[]> sealed = new ArrayDeque<>();
    private final ByteBuffer open = ByteBuffer.allocate(HEADER + PER_BATCH * ENTRY);
    private long openSequence;
    private int openCount;
    private long openNewest = Long.MIN_VALUE;
    /** The newest event time this task has seen: the time of the clean-close marker. */
    private long newest = Long.MIN_VALUE;
    /** The stream time of the last {@link #contains} question. */
    private long streamTime = Long.MIN_VALUE;

    private SeenEvents(KeyValueStore<Long, byte[]> batches, WindowStore<Bytes, byte[]> index, long windowMs) {
        this.batches = batches;
        this.index = index;
        this.windowMs = windowMs;
        this.keepMs = 2 * windowMs;
        this.filter = new SeenFilter(keepMs);
    }

    /**
     * The hashes of the context's task: its stores {@code seen-batches}, {@code seen-index} and the
     * earlier {@code seen-events} (taken up and emptied), read into the filter and the index.
     */
    static SeenEvents of(ProcessorContext<?, ?> context, long windowMs) {
        SeenEvents seen = new SeenEvents(context.getStateStore(Names.SEEN_BATCHES), context.getStateStore(Names.SEEN_INDEX),
                windowMs);
        seen.load();
        seen.takeUp(context.getStateStore(Names.SEEN_EVENTS));
        return seen;
    }

    private void load() {
        long indexed = marker();
        long last = -1;
        try (KeyValueIterator<Long, byte[]> all = batches.all()) {
            while (all.hasNext()) {
                KeyValue<Long, byte[]> batch = all.next();
                ByteBuffer entries = ByteBuffer.wrap(batch.value);
                long base = entries.getLong();
                long batchNewest = Long.MIN_VALUE;
                while (entries.remaining() >= ENTRY) {
                    byte[] hash = new byte[Long.BYTES];
                    entries.get(hash);
                    long time = base + entries.getInt();
                    filter.put(hash, time);
                    if (batch.key > indexed) {
                        index.put(Bytes.wrap(hash), SEEN, time);
                    }
                    batchNewest = Math.max(batchNewest, time);
                }
                sealed.addLast(new long[] {batch.key, batchNewest});
                newest = Math.max(newest, batchNewest);
                last = batch.key;
            }
        }
        // a batch left open by the last run is not added to: the next run's hashes start a batch of their own
        openSequence = last + 1;
    }

    /** The last batch whose every hash the index holds, as a clean close left it; -1 if none is known. */
    private long marker() {
        long indexed = -1;
        try (WindowStoreIterator<byte[]> markers = index.fetch(MARKER, 0, Long.MAX_VALUE)) {
            while (markers.hasNext()) {
                indexed = Math.max(indexed, ByteBuffer.wrap(markers.next().value).getLong());
            }
        }
        return indexed;
    }

    /** Moves the hashes of an earlier version's store into batches and removes them from it. */
    private void takeUp(WindowStore<Bytes, byte[]> earlier) {
        try (KeyValueIterator<Windowed<Bytes>, byte[]> all = earlier.all()) {
            while (all.hasNext()) {
                Windowed<Bytes> entry = all.next().key;
                // 8-byte keys, or the 16-byte hashes of versions before December 2026, whose first 8 bytes are today's
                byte[] hash = Arrays.copyOf(entry.key().get(), Long.BYTES);
                add(hash, entry.window().start());
                earlier.put(entry.key(), null, entry.window().start());
            }
        }
    }

    /** Whether an event with this hash and event time was seen within the window of {@code time}. */
    boolean contains(byte[] hash, long time, long streamTime) {
        this.streamTime = streamTime;
        filter.expire(streamTime);
        expireBatches();
        if (!filter.mightContain(hash, streamTime)) {
            return false;
        }
        try (WindowStoreIterator<byte[]> hits = index.fetch(Bytes.wrap(hash), time - windowMs, time + windowMs)) {
            return hits.hasNext();
        }
    }

    /** Records a hash: into the index and the filter at once, durably with the task's next commit. */
    void add(byte[] hash, long time) {
        index.put(Bytes.wrap(hash), SEEN, time);
        filter.put(hash, time);
        newest = Math.max(newest, time);
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
        batches.put(openSequence, Arrays.copyOf(open.array(), open.position()));
        if (openCount == 1) {
            expireBatches(); // the newest batch kept until this one was written may go now
        }
        if (openCount == PER_BATCH) {
            seal();
        }
    }

    private boolean fits(long time) {
        long offset = time - open.getLong(0);
        return offset >= Integer.MIN_VALUE && offset <= Integer.MAX_VALUE;
    }

    private void seal() {
        sealed.addLast(new long[] {openSequence, openNewest});
        openSequence++;
        openCount = 0;
        openNewest = Long.MIN_VALUE;
    }

    /**
     * Removes the batches whose every hash is older than the filter keeps (the index expires its own).
     * The store always keeps its newest batch, so that sequence numbers never start again from 0: a
     * clean-close marker on some instance's index may name a number already used.
     */
    private void expireBatches() {
        while (!sealed.isEmpty() && sealed.peekFirst()[1] + keepMs < streamTime && (sealed.size() > 1 || openCount > 0)) {
            batches.delete(sealed.pollFirst()[0]);
        }
    }

    /**
     * At a clean close: marks the index as holding every batch up to the open one, so that the next
     * start on this state directory puts only later batches (another instance's) into it again.
     */
    void close() {
        if (newest != Long.MIN_VALUE) {
            long whole = openCount > 0 ? openSequence : openSequence - 1;
            index.put(MARKER, ByteBuffer.allocate(Long.BYTES).putLong(whole).array(), newest);
        }
    }

    int batchCount() {
        return sealed.size() + (openCount > 0 ? 1 : 0);
    }
}
