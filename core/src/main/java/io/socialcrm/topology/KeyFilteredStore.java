package io.socialcrm.topology;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedBytesStore;

/**
 * A RocksDB store with an in-heap Bloom filter (Guava's) of the keys written to it in front of its
 * point reads: a read of a key never written is answered from the heap. RocksDB's Java binding
 * answers a key it does not hold by throwing and catching a C++ exception, which made such a read
 * cost more than a hit. {@code account-consents} is read for every activity's actor and the account
 * directory for every credited account, and most of them never consented.
 *
 * <p>Every other call goes to the RocksDB store as it is (offsets, positions, queries, iterators).
 * Records a restore writes go to RocksDB directly, past this class, so the filter is built from the
 * store's keys at the first read after {@link #init}, and every write after that adds its key. For a
 * global store (written by the global thread, read by every stream thread) this is thread-safe: the
 * filters are Guava's lock-free ones, the list of them is replaced, never changed, and writes and the
 * build take one lock. A task's store is restored before its processors read it, so its filter misses
 * nothing. A global store that Kafka Streams restores again while running (after its offsets went
 * out of range) may be written past the filter after it was built, and a key so written is answered
 * "not held" until the next start: the account directory is a routing shortcut, and a credit it does
 * not route takes the account's own partition, where its consent decides. Filters cannot forget: a deleted key costs a real read until the next start. Filters
 * cannot grow either: they are generations, each twice the capacity of the last.
 */
public class KeyFilteredStore implements KeyValueStore<Bytes, byte[]> {
    /** Capacity of the first generation over a (nearly) empty store. */
    static final int MIN_CAPACITY = 4_096;
    private static final double FPP = 0.01;

    private final KeyValueStore<Bytes, byte[]> inner;
    private final Object lock = new Object();
    private volatile List<BloomFilter<byte[]>> generations = List.of();
    private int capacity;
    private int count;
    private volatile boolean built;

    KeyFilteredStore(KeyValueStore<Bytes, byte[]> inner) {
        this.inner = inner;
    }

    /** The same over a timestamped store: Kafka Streams restores it in the timestamped format. */
    static final class Timestamped extends KeyFilteredStore implements TimestampedBytesStore {
        Timestamped(KeyValueStore<Bytes, byte[]> inner) {
            super(inner);
        }
    }

    /** A RocksDB store (as {@link Stores#persistentKeyValueStore}) with the filter in front. */
    public static KeyValueBytesStoreSupplier persistent(String name) {
        return supplier(Stores.persistentKeyValueStore(name), false);
    }

    /** A timestamped RocksDB store (as {@link Stores#persistentTimestampedKeyValueStore}) with the filter in front. */
    public static KeyValueBytesStoreSupplier timestamped(String name) {
        return supplier(Stores.persistentTimestampedKeyValueStore(name), true);
    }

    private static KeyValueBytesStoreSupplier supplier(KeyValueBytesStoreSupplier rocks, boolean timestamped) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return rocks.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                KeyValueStore<Bytes, byte[]> store = rocks.get();
                return timestamped ? new Timestamped(store) : new KeyFilteredStore(store);
            }

            @Override
            public String metricsScope() {
                return rocks.metricsScope();
            }
        };
    }

    @Override
    public byte[] get(Bytes key) {
        if (!built) {
            build();
        }
        return mightContain(key.get()) ? inner.get(key) : null;
    }

    @Override
    public void put(Bytes key, byte[] value) {
        add(key.get());
        inner.put(key, value);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        add(key.get());
        return inner.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> entry : entries) {
            add(entry.key.get());
        }
        inner.putAll(entries);
    }

    @Override
    public byte[] delete(Bytes key) {
        return inner.delete(key);
    }

    /** Fills the filter from the store's keys, once after each init. */
    private void build() {
        synchronized (lock) {
            if (built) {
                return;
            }
            try (KeyValueIterator<Bytes, byte[]> all = inner.all()) {
                while (all.hasNext()) {
                    add(all.next().key.get());
                }
            }
            built = true;
        }
    }

    /**
     * Adds a key the filters may not hold yet: a key rewritten, or written by the global thread and then
     * found again by the build's scan, takes no more room (a filter's bits only ever get set, so one that
     * says "maybe" keeps saying it).
     */
    private void add(byte[] key) {
        synchronized (lock) {
            if (mightContain(key)) {
                return;
            }
            if (generations.isEmpty() || count >= capacity) {
                capacity = generations.isEmpty()
                        ? (int) Math.min(Integer.MAX_VALUE / 2, Math.max(MIN_CAPACITY, 2 * inner.approximateNumEntries()))
                        : (int) Math.min(Integer.MAX_VALUE / 2, 2L * capacity);
                List<BloomFilter<byte[]>> next = new ArrayList<>(generations);
                next.add(BloomFilter.create(Funnels.byteArrayFunnel(), capacity, FPP));
                generations = List.copyOf(next);
                count = 0;
            }
            generations.get(generations.size() - 1).put(key);
            count++;
        }
    }

    private boolean mightContain(byte[] key) {
        List<BloomFilter<byte[]>> current = generations;
        for (int i = current.size() - 1; i >= 0; i--) {
            if (current.get(i).mightContain(key)) {
                return true;
            }
        }
        return false;
    }

    /** How many filters the keys are spread over (for tests). */
    int generations() {
        return generations.size();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        forget();
        inner.init(context, root);
    }

    @Override
    public void close() {
        inner.close();
        forget();
    }

    /** Drops the filters: the next read builds them again from the store. */
    private void forget() {
        synchronized (lock) {
            generations = List.of();
            built = false;
        }
    }

    // --- everything else as the RocksDB store does it -------------------------------------------------

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return inner.all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return inner.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }
}
