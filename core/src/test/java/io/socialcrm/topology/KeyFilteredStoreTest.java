package io.socialcrm.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter in front of a store never hides a key that was written (through it, or underneath it by
 * a restore before the first read), also while another thread writes (the account directory is a
 * global store), and spares the store the reads of keys never written.
 */
class KeyFilteredStoreTest {
    private final AtomicInteger reads = new AtomicInteger();
    private KeyValueStore<Bytes, byte[]> inner;
    private KeyFilteredStore store;

    @BeforeEach
    @SuppressWarnings({"deprecation", "unchecked"})
    void start() {
        KeyValueStore<Bytes, byte[]> memory = Stores.inMemoryKeyValueStore("directory").get();
        inner = (KeyValueStore<Bytes, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("get")) {
                        reads.incrementAndGet();
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        store = new KeyFilteredStore(inner);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    private static Bytes key(String prefix, int i) {
        return Bytes.wrap((prefix + i).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyKeyWrittenIsFoundAndKeysNeverWrittenAreAnsweredFromTheHeap() {
        int written = 3 * KeyFilteredStore.MIN_CAPACITY + 11;
        List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < written; i++) {
            if (i % 3 == 0) {
                store.put(key("app/", i), value(i));
            } else if (i % 3 == 1) {
                store.putIfAbsent(key("app/", i), value(i));
            } else {
                batch.add(KeyValue.pair(key("app/", i), value(i)));
            }
        }
        store.putAll(batch);
        int generations = store.generations();
        assertTrue(generations >= 2, "past the first generation: " + generations);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < written; i++) {
                store.put(key("app/", i), value(i)); // rewritten: no more room taken
            }
        }
        assertEquals(generations, store.generations(), "keys written again take no new generation");
        for (int i = 0; i < written; i++) {
            assertArrayEquals(value(i), store.get(key("app/", i)), "key " + i);
        }
        reads.set(0);
        int unknown = 10_000;
        for (int i = 0; i < unknown; i++) {
            assertNull(store.get(key("other/", i)));
        }
        assertTrue(reads.get() < unknown * 0.03, "at most a few per cent of unknown keys read from the store: " + reads.get());
        store.delete(key("app/", 4));
        assertNull(store.get(key("app/", 4)), "a deleted key is gone");
    }

    @Test
    void keysARestoreWroteUnderneathAreFoundAtTheFirstReadAfterInit() {
        for (int i = 0; i < 5_000; i++) {
            inner.put(key("app/", i), value(i)); // past the filter, as a restore writes
        }
        for (int i = 0; i < 5_000; i++) {
            assertArrayEquals(value(i), store.get(key("app/", i)), "key " + i);
        }
        store.close();
        inner.put(key("app/", 9_999), value(9_999)); // the next restore, before the store is opened again
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        assertArrayEquals(value(9_999), store.get(key("app/", 9_999)));
    }

    @Test
    void readersOnOtherThreadsFindEveryKeyWrittenBeforeTheirRead() throws Exception {
        int keys = 40_000;
        AtomicInteger published = new AtomicInteger(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int seed = r;
            readers.add(new Thread(() -> {
                Random random = new Random(seed);
                try {
                    while (published.get() < keys - 1) {
                        int upTo = published.get();
                        if (upTo >= 0) {
                            int i = random.nextInt(upTo + 1);
                            assertArrayEquals(value(i), store.get(key("app/", i)), "key " + i + " written before the read");
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        readers.forEach(Thread::start);
        for (int i = 0; i < keys; i++) {
            store.put(key("app/", i), value(i));
            published.set(i);
        }
        for (Thread reader : readers) {
            reader.join(60_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(keys - 1, published.get());
    }
}
