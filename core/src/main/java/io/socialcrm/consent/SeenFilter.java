package io.socialcrm.consent;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An in-heap Bloom filter (Guava's) in front of the de-duplication index ({@link SeenEvents}): nearly
 * every event is new, and "definitely not seen" answered from the heap saves the index's RocksDB
 * lookup. "Maybe seen" (a duplicate, or about 1 % false positives) still asks the index: the filter
 * only ever skips lookups that would have found nothing.
 *
 * <p>It is rebuilt from the durable batches when the task starts, so it holds every event hash the
 * index holds. Filters cannot forget, so it is a queue of generations of {@link #PER_GENERATION}
 * hashes each; a generation is dropped once the newest event time in it is older than the index
 * keeps events. Memory is bounded by {@link #MAX_GENERATIONS}: past that the oldest generation is
 * dropped early, and until the events it held are past that time the filter answers "maybe" for
 * everything (correct, just no faster than the index alone).
 */
final class SeenFilter {
    /** Hashes per generation: about 300 KB of heap each at a 1 % false-positive rate. */
    static final int PER_GENERATION = 250_000;
    /** At most this many generations (about 19 MB, 16 M events within the de-duplication window). */
    static final int MAX_GENERATIONS = 64;
    private static final double FPP = 0.01;

    private final long keepMs;
    private final int perGeneration;
    private final int maxGenerations;
    private final Deque<Generation> generations = new ArrayDeque<>();
    /** While the stream time is before this, a dropped generation may hold hashes the store still has. */
    private long incompleteUntil = Long.MIN_VALUE;

    private static final class Generation {
        final BloomFilter<byte[]> filter;
        long newest = Long.MIN_VALUE;
        int count;

        Generation(int capacity) {
            filter = BloomFilter.create(Funnels.byteArrayFunnel(), capacity, FPP);
        }
    }

    /** {@code keepMs}: how long the store keeps an event, in event time, past the stream time. */
    SeenFilter(long keepMs) {
        this(keepMs, PER_GENERATION, MAX_GENERATIONS);
    }

    SeenFilter(long keepMs, int perGeneration, int maxGenerations) {
        this.keepMs = keepMs;
        this.perGeneration = perGeneration;
        this.maxGenerations = maxGenerations;
    }

    /** False only if the hash was never {@linkplain #put put} (or is older than the store keeps). */
    boolean mightContain(byte[] hash, long streamTime) {
        if (streamTime < incompleteUntil) {
            return true;
        }
        for (Generation g : generations) {
            if (g.filter.mightContain(hash)) {
                return true;
            }
        }
        return false;
    }

    void put(byte[] hash, long eventTime) {
        Generation current = generations.peekLast();
        if (current == null || current.count >= perGeneration) {
            current = new Generation(perGeneration);
            generations.addLast(current);
            if (generations.size() > maxGenerations) {
                Generation dropped = generations.removeFirst();
                incompleteUntil = Math.max(incompleteUntil, dropped.newest + keepMs);
            }
        }
        current.filter.put(hash);
        current.count++;
        current.newest = Math.max(current.newest, eventTime);
    }

    /** Drops the generations whose every event is older than the store keeps. */
    void expire(long streamTime) {
        while (generations.size() > 1 && generations.peekFirst().newest + keepMs < streamTime) {
            generations.removeFirst();
        }
    }

    int generations() {
        return generations.size();
    }
}
