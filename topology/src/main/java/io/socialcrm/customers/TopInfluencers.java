package io.socialcrm.customers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    /** The store's entries, in its order (the last is the least influential). */
    private final TreeMap<String, String> ranked = new TreeMap<>();
    private final Map<String, String> keyOf = new HashMap<>();
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
        // an in-memory store outlives a task's processor when the task is only suspended
        try (var all = store.all()) {
            all.forEachRemaining(kv -> {
                ranked.put(kv.value, kv.key);
                keyOf.put(kv.key, kv.value);
            });
        }
    }

    /** Starts ranking afresh: every customer is offered before {@link #completePass()}. */
    public void beginPass() {
        next = new Ranking(capacity);
    }

    /** Makes the ranking the sweep collected the live one. */
    public void completePass() {
        if (next == null) {
            return;
        }
        Ranking done = next;
        next = null;
        for (Map.Entry<String, String> entry : new ArrayList<>(ranked.entrySet())) {
            if (!done.ranked.containsKey(entry.getKey())) {
                drop(entry.getValue(), entry.getKey());
            }
        }
        done.ranked.forEach((key, id) -> {
            if (!ranked.containsKey(key)) {
                String old = keyOf.remove(id);
                if (old != null) {
                    ranked.remove(old);
                }
                ranked.put(key, id);
                keyOf.put(id, key);
                unsynced.add(id);
            }
        });
    }

    /** Copies the changes since the last call to the store. */
    public void sync() {
        for (String id : unsynced) {
            String key = keyOf.get(id);
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
        String key = InfluenceIndex.key(raw, customerId);
        if (next != null) {
            next.offer(customerId, key);
        }
        String old = keyOf.get(customerId);
        if (key.equals(old)) {
            return;
        }
        if (old != null) {
            drop(customerId, old);
        } else if (ranked.size() >= capacity && key.compareTo(ranked.lastKey()) > 0) {
            return;
        }
        ranked.put(key, customerId);
        keyOf.put(customerId, key);
        unsynced.add(customerId);
        while (ranked.size() > capacity) {
            Map.Entry<String, String> last = ranked.lastEntry();
            drop(last.getValue(), last.getKey());
        }
    }

    /** Takes a customer off the list, in the store too; true if it was on it. */
    public boolean remove(String customerId) {
        if (next != null) {
            next.remove(customerId);
        }
        String key = keyOf.get(customerId);
        if (key == null) {
            return false;
        }
        drop(customerId, key);
        unsynced.remove(customerId);
        store.delete(customerId);
        return true;
    }

    int size() {
        return ranked.size();
    }

    private void drop(String customerId, String key) {
        ranked.remove(key);
        keyOf.remove(customerId);
        unsynced.add(customerId);
    }

    /** A bounded ranking in memory only. */
    private static final class Ranking {
        private final int capacity;
        private final TreeMap<String, String> ranked = new TreeMap<>();
        private final Map<String, String> keyOf = new HashMap<>();

        Ranking(int capacity) {
            this.capacity = capacity;
        }

        void offer(String customerId, String key) {
            String old = keyOf.remove(customerId);
            if (old != null) {
                ranked.remove(old);
            } else if (ranked.size() >= capacity && key.compareTo(ranked.lastKey()) > 0) {
                return;
            }
            ranked.put(key, customerId);
            keyOf.put(customerId, key);
            if (ranked.size() > capacity) {
                keyOf.remove(ranked.pollLastEntry().getValue());
            }
        }

        void remove(String customerId) {
            String key = keyOf.remove(customerId);
            if (key != null) {
                ranked.remove(key);
            }
        }
    }
}
