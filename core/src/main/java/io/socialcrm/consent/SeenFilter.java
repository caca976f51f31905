package io.socialcrm.consent;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.commons.collections4.bloomfilter.EnhancedDoubleHasher;
import org.apache.commons.collections4.bloomfilter.Hasher;
import org.apache.commons.collections4.bloomfilter.Shape;
import org.apache.commons.collections4.bloomfilter.SimpleBloomFilter;

/**
 * An in-heap Bloom filter (Apache Commons Collections') in front of the de-duplication index ({@link SeenEvents}): nearly
 * every event is new, and "definitely not seen" answered from the heap saves the index's RocksDB
 * lookup. "Maybe seen" (a duplicate, or about 1 % false positives) still asks the index: the filter
 * only ever skips lookups that would have found nothing.
 *
 * <p>It is rebuilt from the durable batches when the task starts, so it holds every event hash the
 * index holds. Filters cannot forget, so it is a queue of generations; a generation is dropped once
 * the newest event time in it is older than the index keeps events. Each "not seen" asks every
 * generation (a hash and seven probes each), and each adds its 1 % of false positives: the first
 * generation holds {@link #FIRST_GENERATION} hashes and each next one twice its predecessor, up to
 * {@link #MAX_GENERATION}, so that a window of ten million events takes 9 generations (it took 40 of
 * 250,000 before, and a third of new events went on to the index) while a small task keeps a small
 * filter. Memory is bounded by {@link #MAX_HASHES}: past that the oldest generation is dropped
 * early, and until the events it held are past that time the filter answers "maybe" for everything
 * (correct, just no faster than the index alone).
 *
 * <p>The hashes put in are SipHash values already (salted, uniform): the filters take their bit
 * positions from the hash itself by enhanced double hashing, where Guava's hashed each again
 * (MurmurHash3, a hasher and a buffer allocated for every generation asked).
 *
 * <p>Public for the benchmark that compares generation sizes ({@code bench/micro/DedupeFilter}).
 */
public final class SeenFilter {
    /** Hashes the first generation holds (about 80 KB of heap at a 1 % false-positive rate). */
    static final int FIRST_GENERATION = 65_536;
    /** Hashes the largest generations hold (about 2.4 MB). */
    static final int MAX_GENERATION = 2_000_000;
    /** At most this many hashes in all generations (about 19 MB, 16 M events within the de-duplication window). */
    static final long MAX_HASHES = 16_000_000L;
    private static final double FPP = 0.01;

    private final long keepMs;
    private final int firstGeneration;
    private final int maxGeneration;
    private final long maxHashes;
    private final Deque<Generation> generations = new ArrayDeque<>();
    /** While the stream time is before this, a dropped generation may hold hashes the store still has. */
    private long incompleteUntil = Long.MIN_VALUE;

    private static final class Generation {
        final SimpleBloomFilter filter;
        final int capacity;
        long newest = Long.MIN_VALUE;
        int count;

        Generation(int capacity) {
            this.capacity = capacity;
            filter = new SimpleBloomFilter(Shape.fromNP(capacity, FPP));
        }
    }

    /**
     * The bit positions of a hash: the first probe its 64 bits, the step those bits mixed again
     * (MurmurHash3's 64-bit finaliser), so that two hashes that share a first probe part at the next.
     */
    private static Hasher positions(byte[] hash) {
        long h = ByteBuffer.wrap(hash).getLong();
        long step = h ^ (h >>> 33);
        step *= 0xff51afd7ed558ccdL;
        step ^= step >>> 33;
        step *= 0xc4ceb9fe1a85ec53L;
        step ^= step >>> 33;
        return new EnhancedDoubleHasher(h, step);
    }

    /** {@code keepMs}: how long the store keeps an event, in event time, past the stream time. */
    public SeenFilter(long keepMs) {
        this(keepMs, FIRST_GENERATION, MAX_GENERATION, MAX_HASHES);
    }

    /** Generations of {@code perGeneration} hashes each, at most {@code maxGenerations} of them (as before 2026-12-05). */
    public SeenFilter(long keepMs, int perGeneration, int maxGenerations) {
        this(keepMs, perGeneration, perGeneration, (long) perGeneration * maxGenerations);
    }

    SeenFilter(long keepMs, int firstGeneration, int maxGeneration, long maxHashes) {
        this.keepMs = keepMs;
        this.firstGeneration = firstGeneration;
        this.maxGeneration = maxGeneration;
        this.maxHashes = maxHashes;
    }

    /** False only if the hash was never {@linkplain #put put} (or is older than the store keeps). */
    public boolean mightContain(byte[] hash, long streamTime) {
        if (streamTime < incompleteUntil) {
            return true;
        }
        if (generations.isEmpty()) {
            return false;
        }
        Hasher positions = positions(hash);
        for (Generation g : generations) {
            if (g.filter.contains(positions)) {
                return true;
            }
        }
        return false;
    }

    public void put(byte[] hash, long eventTime) {
        Generation current = generations.peekLast();
        if (current == null || current.count >= current.capacity) {
            // expiry and the memory bound always leave the newest generation: the next one doubles it
            current = new Generation(current == null ? firstGeneration : (int) Math.min(maxGeneration, 2L * current.capacity));
            generations.addLast(current);
            long held = generations.stream().mapToLong(g -> g.capacity).sum();
            while (held > maxHashes && generations.size() > 1) {
                Generation dropped = generations.removeFirst();
                held -= dropped.capacity;
                incompleteUntil = Math.max(incompleteUntil, dropped.newest + keepMs);
            }
        }
        current.filter.merge(positions(hash));
        current.count++;
        current.newest = Math.max(current.newest, eventTime);
    }

    /** Drops the generations whose every event is older than the store keeps. */
    public void expire(long streamTime) {
        while (generations.size() > 1 && generations.peekFirst().newest + keepMs < streamTime) {
            generations.removeFirst();
        }
    }

    public int generations() {
        return generations.size();
    }
}
