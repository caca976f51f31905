package io.socialcrm.consent;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * {@code account-consents} as the accounts stage's processors read and write it, with an in-heap
 * Bloom filter (Guava's) of the keys a consent record was written for in front of its reads. Most
 * activity comes from accounts that never gave consent, and a key RocksDB does not hold costs more
 * than one it does: its Java binding answers "not found" by throwing and catching a C++ exception
 * (a third of the gate's store read, 3.6 % of the in-process path). "Definitely never written"
 * answered from the heap skips that read; "maybe" (a key written, or about 1 % false positives)
 * reads the store as before, so the filter only ever skips reads that would have found nothing.
 *
 * <p>The filter is a state store of the task with no changelog and no files, so that the four
 * processors that share {@code account-consents} share it too. It holds hashed bits, nothing that
 * names an account, and is rebuilt from {@code account-consents} (keys only counted, values read
 * once) at the first use after any of those processors is initialised: Kafka Streams initialises
 * processors once their stores are restored, so the rebuild sees every key a restore wrote. Every
 * write after that goes through {@link #put}; a delete leaves the key in the filter (a filter cannot
 * forget; the read then finds nothing, as before). Filters cannot grow either, so it is a list of
 * generations, each twice the capacity of the last.
 */
public final class ConsentKeys implements StateStore {
    /** Capacity of the first generation when the store is (nearly) empty: about 5 KB. */
    static final int MIN_CAPACITY = 4_096;
    private static final double FPP = 0.01;

    private final String name;
    private boolean open;
    private final List<BloomFilter<CharSequence>> generations = new ArrayList<>();
    private int capacity;
    private int count;
    /** Whether the filter holds every key of {@code account-consents}: false until the first use after an init. */
    private boolean built;

    private ConsentKeys(String name) {
        this.name = name;
    }

    /** The store for the topology: connect it to every processor that uses {@code account-consents}. */
    public static StoreBuilder<ConsentKeys> store() {
        return new Builder(Names.ACCOUNT_CONSENT_KEYS);
    }

    /**
     * The view of {@code account-consents} a processor uses (call in {@code init}): the task's filter
     * is rebuilt at its next use, since this init may follow a restore.
     */
    static Consents of(ProcessorContext<?, ?> context) {
        KeyValueStore<String, AccountConsent> consents = context.getStateStore(Names.ACCOUNT_CONSENTS);
        ConsentKeys keys = context.getStateStore(Names.ACCOUNT_CONSENT_KEYS);
        keys.built = false;
        return new Consents(consents, keys);
    }

    /** {@code account-consents} read through the task's {@link ConsentKeys}. */
    static final class Consents {
        private final KeyValueStore<String, AccountConsent> store;
        private final ConsentKeys keys;

        private Consents(KeyValueStore<String, AccountConsent> store, ConsentKeys keys) {
            this.store = store;
            this.keys = keys;
        }

        /** The account's consent record, or null. */
        AccountConsent get(String key) {
            keys.buildFrom(store);
            return keys.mightContain(key) ? store.get(key) : null;
        }

        void put(String key, AccountConsent consent) {
            keys.buildFrom(store);
            keys.add(key);
            store.put(key, consent);
        }

        void delete(String key) {
            store.delete(key);
        }
    }

    private void buildFrom(KeyValueStore<String, AccountConsent> store) {
        if (built) {
            return;
        }
        generations.clear();
        count = 0;
        capacity = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(MIN_CAPACITY, 2 * store.approximateNumEntries()));
        generations.add(BloomFilter.create(Funnels.unencodedCharsFunnel(), capacity, FPP));
        try (KeyValueIterator<String, AccountConsent> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, AccountConsent> next = all.next();
                add(next.key);
            }
        }
        built = true;
    }

    private void add(String key) {
        if (count >= capacity) {
            capacity = (int) Math.min(Integer.MAX_VALUE / 2, 2L * capacity);
            generations.add(BloomFilter.create(Funnels.unencodedCharsFunnel(), capacity, FPP));
            count = 0;
        }
        generations.get(generations.size() - 1).put(key);
        count++;
    }

    private boolean mightContain(String key) {
        for (int i = generations.size() - 1; i >= 0; i--) {
            if (generations.get(i).mightContain(key)) {
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
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        generations.clear();
        built = false;
        // nothing to restore: the filter is rebuilt from account-consents
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void close() {
        generations.clear();
        built = false;
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds a {@link ConsentKeys}: no cache, no changelog (neither can be enabled). */
    private record Builder(String name) implements StoreBuilder<ConsentKeys> {
        @Override
        public StoreBuilder<ConsentKeys> withCachingEnabled() {
            throw new UnsupportedOperationException(name + " is a filter in the heap: it has no cache");
        }

        @Override
        public StoreBuilder<ConsentKeys> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<ConsentKeys> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException(name + " is rebuilt from account-consents: it has no changelog");
        }

        @Override
        public StoreBuilder<ConsentKeys> withLoggingDisabled() {
            return this;
        }

        @Override
        public ConsentKeys build() {
            return new ConsentKeys(name);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }
    }
}
