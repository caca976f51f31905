package io.socialcrm.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.serde.PlainJson;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment changes one instance has read from {@code segment-changes}, for the console: counts of
 * entries and exits per segment in {@link #BUCKET_MS} buckets over the last {@link #KEEP_MS}, the
 * latest {@link #RECENT} changes, and listeners for the ones that arrive from now on. Its reader
 * starts from the beginning of the topic, so what a page shows survives a restart of the instance
 * (within the topic's retention); a segment's size over time is its member count now minus the
 * changes since. Times are the changes' own ({@code at}, event time), read against {@link #now}.
 */
public final class ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    /** The counts' resolution. */
    public static final long BUCKET_MS = 5 * 60_000L;
    /** How far back counts are kept. */
    public static final long KEEP_MS = 25 * 3_600_000L;
    /** How many of the latest changes are kept for a page that opens. */
    public static final int RECENT = 500;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;

    /** A segment's activity: entries and exits in the last hour and day, and {@code [time, size]} points over the last day. */
    public record Stats(long enteredLastHour, long exitedLastHour, long enteredLastDay, long exitedLastDay, List<long[]> sizes) {
    }

    private final Map<String, TreeMap<Long, long[]>> buckets = new HashMap<>();
    private final Deque<ObjectNode> recent = new ArrayDeque<>();
    private final List<Consumer<ObjectNode>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean caughtUp;
    /** The newest change's time: the clock the counts are read against (event time, like the changes' own). */
    private volatile long streamTime = Long.MIN_VALUE;

    /** Takes one change in; listeners hear it once the feed has caught up with the topic. */
    public void accept(SegmentChange change) {
        ObjectNode json = PlainJson.write(change);
        long at = change.getAt().toEpochMilli();
        synchronized (this) {
            streamTime = Math.max(streamTime, at);
            long[] counts = buckets.computeIfAbsent(change.getSegmentId(), s -> new TreeMap<>())
                    .computeIfAbsent(Math.floorDiv(at, BUCKET_MS) * BUCKET_MS, b -> new long[2]);
            counts[change.getChange() == MembershipChange.ENTERED ? 0 : 1]++;
            recent.addLast(json);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }
        if (caughtUp) {
            for (Consumer<ObjectNode> listener : listeners) {
                try {
                    listener.accept(json);
                } catch (RuntimeException e) {
                    LOG.debug("A change listener failed: {}", e.toString());
                }
            }
        }
    }

    /** Marks the end of the history read at start: later changes go to the listeners. */
    public void caughtUp(long now) {
        prune(now);
        caughtUp = true;
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * The time windows end at: the newest change's time, or {@code wallClock} before any. It is the
     * wall clock's time in a live deployment; in a replay of history, or the demo's fast simulated
     * time, "the last hour" is the last hour of the data.
     */
    public long now(long wallClock) {
        long newest = streamTime;
        return newest == Long.MIN_VALUE ? wallClock : newest;
    }

    public void subscribe(Consumer<ObjectNode> listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Consumer<ObjectNode> listener) {
        listeners.remove(listener);
    }

    public int listeners() {
        return listeners.size();
    }

    /** The latest changes, newest first, of one segment (or all: null). */
    public synchronized List<ObjectNode> recent(String segmentId, int limit) {
        List<ObjectNode> out = new ArrayList<>();
        Iterator<ObjectNode> newestFirst = recent.descendingIterator();
        while (newestFirst.hasNext() && out.size() < limit) {
            ObjectNode change = newestFirst.next();
            if (segmentId == null || segmentId.isEmpty() || segmentId.equals(change.path("segmentId").asText())) {
                out.add(change);
            }
        }
        return out;
    }

    /** A segment's activity as of {@code now}, its size then being {@code members}. */
    public synchronized Stats stats(String segmentId, long members, long now) {
        prune(now);
        TreeMap<Long, long[]> counts = buckets.getOrDefault(segmentId, new TreeMap<>());
        long[] hour = sum(counts, now - HOUR_MS);
        long[] day = sum(counts, now - DAY_MS);
        List<long[]> sizes = new ArrayList<>();
        long size = members;
        long point = Math.floorDiv(now, BUCKET_MS) * BUCKET_MS;
        sizes.add(new long[] {now, members});
        // walking back: the size at the start of a bucket is the size after it minus its net change
        for (Map.Entry<Long, long[]> e : counts.descendingMap().entrySet()) {
            while (point > e.getKey() && point > now - DAY_MS) {
                sizes.add(new long[] {point, Math.max(0, size)});
                point -= BUCKET_MS;
            }
            if (point <= now - DAY_MS) {
                break;
            }
            size -= e.getValue()[0] - e.getValue()[1];
        }
        while (point > now - DAY_MS) {
            sizes.add(new long[] {point, Math.max(0, size)});
            point -= BUCKET_MS;
        }
        Collections.reverse(sizes);
        return new Stats(hour[0], hour[1], day[0], day[1], sizes);
    }

    private static long[] sum(TreeMap<Long, long[]> counts, long from) {
        long[] total = new long[2];
        for (long[] c : counts.tailMap(Math.floorDiv(from, BUCKET_MS) * BUCKET_MS, true).values()) {
            total[0] += c[0];
            total[1] += c[1];
        }
        return total;
    }

    private void prune(long now) {
        for (TreeMap<Long, long[]> counts : buckets.values()) {
            counts.headMap(now - KEEP_MS).clear();
        }
    }
}
