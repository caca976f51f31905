package io.socialcrm.customers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
            all.forEachRemaining(kv -> live.offer(new Entry(kv.key, InfluenceIndex.raw(kv.value))));
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
        for (String id : new ArrayList<>(live.entryOf.keySet())) {
            if (!done.entryOf.containsKey(id)) {
                live.remove(id);
            }
        }
        done.entryOf.values().forEach(live::offer);
    }

    /** Copies the changes since the last call to the store. */
    public void sync() {
        for (String id : unsynced) {
            Entry entry = live.entryOf.get(id);
            if (entry == null) {
                store.delete(id);
            } else {
                store.put(id, InfluenceIndex.key(entry.raw(), id));
            }
        }
        unsynced.clear();
    }

    /** Places (or moves, or leaves out) a customer with its current raw influence. */
    public void offer(String customerId, double raw) {
        Entry entry = new Entry(customerId, Math.max(0.0, raw));
        if (next != null) {
            next.offer(entry);
        }
        live.offer(entry);
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

    /** A customer and its raw influence (never negative), as ranked; its store value is {@link InfluenceIndex#key}. */
    private record Entry(String customerId, double raw) {
    }

    /**
     * Most influential first, ties by customer id: the order of the {@link InfluenceIndex} keys, without
     * building them. Written out rather than composed ({@code comparingDouble(..).reversed().thenComparing(..)}):
     * the composed comparator's chain of lambdas was half the cost of an offer.
     */
    private static final Comparator<Entry> RANK = (a, b) -> {
        int byInfluence = Double.compare(b.raw(), a.raw());
        return byInfluence != 0 ? byInfluence : a.customerId().compareTo(b.customerId());
    };

    /**
     * At most {@code capacity} customers by rank (the last is the least influential); tells
     * {@code changed} of every customer it adds, moves or drops. Entries are compared as numbers,
     * and a store key is built only for what {@link #sync()} writes: building one for every offer
     * was most of the cost of a refresh's offer.
     */
    private static final class Ranking {
        private final int capacity;
        private final Consumer<String> changed;
        private final TreeSet<Entry> ranked = new TreeSet<>(RANK);
        private final Map<String, Entry> entryOf = new HashMap<>();

        Ranking(int capacity, Consumer<String> changed) {
            this.capacity = capacity;
            this.changed = changed;
        }

        void offer(Entry entry) {
            Entry old = entryOf.get(entry.customerId());
            if (old != null) {
                if (old.raw() == entry.raw()) {
                    return;
                }
                ranked.remove(old);
            } else if (ranked.size() >= capacity && RANK.compare(entry, ranked.last()) > 0) {
                return; // below a full list: most offers
            }
            ranked.add(entry);
            entryOf.put(entry.customerId(), entry);
            changed.accept(entry.customerId());
            while (ranked.size() > capacity) {
                String dropped = ranked.pollLast().customerId();
                entryOf.remove(dropped);
                changed.accept(dropped);
            }
        }

        boolean remove(String customerId) {
            Entry entry = entryOf.remove(customerId);
            if (entry == null) {
                return false;
            }
            ranked.remove(entry);
            changed.accept(customerId);
            return true;
        }
    }
}
