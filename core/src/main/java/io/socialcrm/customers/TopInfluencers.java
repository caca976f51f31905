package io.socialcrm.customers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The task's most influential customers, kept off the durable path: at most {@link #CAPACITY}
 * customers ranked in memory and copied, at each {@link #sync()} (every sweep tick), to an
 * in-memory store without a changelog ({@code influence-index}: customer id to its
 * {@link InfluenceIndex} key, read by {@code /influencers/top}, which orders them). A removal is
 * copied at once.
 *
 * <p>Every refresh offers the customer's raw influence: a customer enters when the list has room
 * or when it ranks above the last entry (which then leaves), and an entry moves with its customer.
 * Between sweeps a customer whose influence decayed below one that was left out keeps its place;
 * a sweep therefore ranks afresh: it collects every customer it visits (and every one an event
 * offers meanwhile) into a second bounded list that replaces the live one when the sweep
 * completes. After a restart the list refills as customers act and from the first sweep, which
 * starts at once. No durable write per event: before this, every move of an entry cost two
 * changelog records.
 */
public final class TopInfluencers {
    /** Entries per task: the most {@code /influencers/top} returns. */
    public static final int CAPACITY = 1000;

    private final KeyValueStore<String, String> store;
    private final int capacity;
    /** What the store should hold; a customer it adds, moves or drops is noted in {@link #unsynced}. */
    private final Ranking live;
    /** Customers whose entry in the store is not what the ranking says yet. */
    private final Set<String> unsynced = new HashSet<>();
    /** The ranking a running sweep collects, or null between sweeps. */
    private Ranking next;

    public TopInfluencers(KeyValueStore<String, String> store) {
        this(store, CAPACITY);
    }

    TopInfluencers(KeyValueStore<String, String> store, int capacity) {
        this.store = store;
        this.capacity = capacity;
        this.live = new Ranking(capacity, unsynced::add);
        // an in-memory store outlives a task's processor when the task is only suspended
        try (var all = store.all()) {
            all.forEachRemaining(kv -> live.offer(kv.key, kv.value));
        }
        unsynced.clear();
    }

    /** Starts ranking afresh: every customer is offered before {@link #completePass()}. */
    public void beginPass() {
        next = new Ranking(capacity, id -> { });
    }

    /** Makes the ranking the sweep collected the live one. */
    public void completePass() {
        if (next == null) {
            return;
        }
        Ranking done = next;
        next = null;
        for (String id : new ArrayList<>(live.keyOf.keySet())) {
            if (!done.keyOf.containsKey(id)) {
                live.remove(id);
            }
        }
        done.keyOf.forEach(live::offer);
    }

    /** Copies the changes since the last call to the store. */
    public void sync() {
        for (String id : unsynced) {
            String key = live.keyOf.get(id);
            if (key == null) {
                store.delete(id);
            } else {
                store.put(id, key);
            }
        }
        unsynced.clear();
    }

    /** Places (or moves, or leaves out) a customer with its current raw influence. */
    public void offer(String customerId, double raw) {
        // most offers are of customers below a full list: left out before their key is built
        boolean forNext = next != null && !next.leavesOut(customerId, raw);
        boolean forLive = !live.leavesOut(customerId, raw);
        if (!forNext && !forLive) {
            return;
        }
        String key = InfluenceIndex.key(raw, customerId);
        if (forNext) {
            next.offer(customerId, key);
        }
        if (forLive) {
            live.offer(customerId, key);
        }
    }

    /** Takes a customer off the list, in the store too; true if it was on it. */
    public boolean remove(String customerId) {
        if (next != null) {
            next.remove(customerId);
        }
        if (!live.remove(customerId)) {
            return false;
        }
        unsynced.remove(customerId);
        store.delete(customerId);
        return true;
    }

    int size() {
        return live.ranked.size();
    }

    /**
     * At most {@code capacity} customers by rank key (the last is the least influential); tells
     * {@code changed} of every customer it adds, moves or drops.
     */
    private static final class Ranking {
        private final int capacity;
        private final Consumer<String> changed;
        private final TreeMap<String, String> ranked = new TreeMap<>();
        private final Map<String, String> keyOf = new HashMap<>();
        /** The raw influence of the last entry, or NaN when the list changed since it was read. */
        private double lastRaw = Double.NaN;

        Ranking(int capacity, Consumer<String> changed) {
            this.capacity = capacity;
            this.changed = changed;
        }

        /**
         * True when offering the customer would change nothing: the list is full, the customer is not
         * on it and ranks strictly below its last entry (ties are left to {@link #offer}, which
         * orders them by id).
         */
        boolean leavesOut(String customerId, double raw) {
            if (ranked.size() < capacity || keyOf.containsKey(customerId)) {
                return false;
            }
            if (Double.isNaN(lastRaw)) {
                lastRaw = InfluenceIndex.raw(ranked.lastKey());
            }
            return Math.max(0.0, raw) < lastRaw;
        }

        void offer(String customerId, String key) {
            String old = keyOf.get(customerId);
            if (key.equals(old)) {
                return;
            }
            if (old != null) {
                ranked.remove(old);
            } else if (ranked.size() >= capacity && key.compareTo(ranked.lastKey()) > 0) {
                return;
            }
            lastRaw = Double.NaN;
            ranked.put(key, customerId);
            keyOf.put(customerId, key);
            changed.accept(customerId);
            while (ranked.size() > capacity) {
                String dropped = ranked.pollLastEntry().getValue();
                keyOf.remove(dropped);
                changed.accept(dropped);
            }
        }

        boolean remove(String customerId) {
            String key = keyOf.remove(customerId);
            if (key == null) {
                return false;
            }
            lastRaw = Double.NaN;
            ranked.remove(key);
            changed.accept(customerId);
            return true;
        }
    }
}
