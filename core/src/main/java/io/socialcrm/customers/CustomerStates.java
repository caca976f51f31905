package io.socialcrm.customers;

import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.common.BeforeCommit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The customer stage's states as objects: {@code customer-state} read and written through a
 * write-back buffer of one task. A state changed by an event stays in the heap until just before the
 * task commits ({@link BeforeCommit}), and is then written to the store (and its changelog) once;
 * states read or written lately stay in the heap too (the least recently used beyond
 * {@code customers.cache.entries} are let go), so that the next event of the same customer neither
 * reads nor decodes it again. Kafka Streams' own store cache held the state's bytes, decoded on every
 * read and encoded on every write; this buffer holds the decoded state and takes its place (the store
 * has no Kafka Streams cache: a write in the commit's cache flush could otherwise land in a cache
 * already flushed for that commit).
 *
 * <p>Guarantees are the store's: under exactly-once the states changed since the last commit are
 * written in the transaction that commits the records that changed them, and are lost with it in a
 * crash (those records are read again). A deletion (an erasure, a removal) goes to the store at once.
 * Iterating ({@link #all}, {@link #range}) writes what waits first, so that sweeps see every change.
 * Where the hook cannot be had (a processor run outside Kafka Streams) every write goes to the store
 * at once. Interactive queries read the store: they see a customer's state as of the last commit or
 * sweep tick (the processor calls {@link #flush} on its wall-clock tick too).
 *
 * <p>A state handed out by {@link #get} is the buffered object itself: a caller that changes it
 * writes it back with {@link #put} (every path of the customer stage that changes a state does), and
 * one that only reads it leaves it as it was.
 */
final class CustomerStates {
    private final KeyValueStore<String, CustomerState> store;
    /** States changed since the last write to the store, in the order first changed (the order they are written in). */
    private final Map<String, CustomerState> waiting = new LinkedHashMap<>();
    /** States as the store holds them, least recently used first; at most {@code capacity}. */
    private final LinkedHashMap<String, CustomerState> recent;
    private BeforeCommit beforeCommit;

    /**
     * @param capacity states kept in the heap once written (or read), per task
     */
    CustomerStates(KeyValueStore<String, CustomerState> store, int capacity) {
        this.store = store;
        this.recent = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CustomerState> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Writes before each commit through {@code hook} (null: every write goes to the store at once). */
    void writeBeforeCommit(BeforeCommit hook) {
        this.beforeCommit = hook;
    }

    /** The customer's state, or null when none is held. */
    CustomerState get(String id) {
        CustomerState state = waiting.get(id);
        if (state != null) {
            return state;
        }
        state = recent.get(id);
        if (state == null) {
            state = store.get(id);
            if (state != null) {
                recent.put(id, state);
            }
        }
        return state;
    }

    void put(String id, CustomerState state) {
        if (beforeCommit == null) {
            store.put(id, state);
            recent.put(id, state);
            return;
        }
        recent.remove(id);
        waiting.put(id, state);
        beforeCommit.mark();
    }

    /** Deletes the customer's state from the store at once (and whatever of it waited). */
    void delete(String id) {
        waiting.remove(id);
        recent.remove(id);
        store.delete(id);
    }

    /** Every state, from the store, after what waited was written to it. */
    KeyValueIterator<String, CustomerState> all() {
        flush();
        return store.all();
    }

    /** The states from {@code from} on (null: to the end), from the store, after what waited was written to it. */
    KeyValueIterator<String, CustomerState> range(String from, String to) {
        flush();
        return store.range(from, to);
    }

    /** Writes the states changed since the last write to the store, in the order first changed. */
    void flush() {
        waiting.forEach((id, state) -> {
            store.put(id, state);
            recent.put(id, state);
        });
        waiting.clear();
    }
}
