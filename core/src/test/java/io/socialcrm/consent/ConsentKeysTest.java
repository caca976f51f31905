package io.socialcrm.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.Names;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.testing.MockStores;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filter in front of {@code account-consents} never hides a consent record (written through it,
 * or already in the store when the processors start, as after a restore), and spares the store the
 * reads of accounts that never had one.
 */
class ConsentKeysTest {
    private MockProcessorContext<String, Object> context;
    private KeyValueStore<String, AccountConsent> store;
    private final AtomicInteger reads = new AtomicInteger();

    @BeforeEach
    @SuppressWarnings({"deprecation", "unchecked"})
    void start() {
        context = new MockProcessorContext<>();
        KeyValueStore<String, AccountConsent> inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.ACCOUNT_CONSENTS),
                Serdes.String(), InternalSerde.of(AccountConsent.class)).withLoggingDisabled().build();
        inner.init(context.getStateStoreContext(), inner);
        // the store as the processors see it, its reads counted
        store = (KeyValueStore<String, AccountConsent>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("get")) {
                        reads.incrementAndGet();
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        context.addStateStore(store);
        MockStores.consentKeys(context);
    }

    private static AccountConsent granted(String customer) {
        return AccountConsent.newBuilder().setCustomerId(customer).setPlatform("twitter").setStatus(ConsentStatus.GRANTED)
                .setRecordedAt(1L).build();
    }

    @Test
    void everyConsentWrittenIsFoundAndUnknownAccountsAreAnsweredFromTheHeap() {
        ConsentKeys.Consents consents = ConsentKeys.of(context);
        int written = 3 * ConsentKeys.MIN_CAPACITY + 17; // past the first generations' capacity
        for (int i = 0; i < written; i++) {
            consents.put("twitter:" + i, granted("c" + i));
        }
        for (int i = 0; i < written; i++) {
            assertEquals("c" + i, consents.get("twitter:" + i).getCustomerId(), "account " + i);
        }
        reads.set(0);
        int unknown = 10_000;
        for (int i = 0; i < unknown; i++) {
            assertNull(consents.get("mastodon:" + i));
        }
        assertTrue(reads.get() < unknown * 0.03, "at most a few per cent of the unknown accounts read from the store: " + reads.get());
        consents.delete("twitter:5");
        assertNull(consents.get("twitter:5"), "a deleted consent is gone (the filter may still say maybe; the store says no)");
    }

    @Test
    void recordsAlreadyInTheStoreWhenAProcessorStartsAreFound() {
        ConsentKeys.Consents before = ConsentKeys.of(context);
        assertNull(before.get("twitter:1"));
        // written to the store underneath the filter, as a restore from the changelog does, before the processors start again
        for (int i = 0; i < 5_000; i++) {
            store.put("twitter:" + i, granted("c" + i));
        }
        ConsentKeys.Consents after = ConsentKeys.of(context);
        for (int i = 0; i < 5_000; i++) {
            assertEquals("c" + i, after.get("twitter:" + i).getCustomerId(), "account " + i);
            assertEquals("c" + i, before.get("twitter:" + i).getCustomerId(), "through the other processor's view too: " + i);
        }
    }
}
