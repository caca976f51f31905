package io.socialcrm.testing;

import io.socialcrm.serde.InternalSerde;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Stores for a processor tested on its own with {@link MockProcessorContext}. */
public final class MockStores {
    private MockStores() {
    }

    /**
     * An in-memory store of {@code name} (string keys, values in the internal encoding), without a
     * changelog, initialised and registered with {@code context}.
     */
    public static <V extends SpecificRecordBase> KeyValueStore<String, V> inMemory(MockProcessorContext<?, ?> context,
                                                                                   String name, Class<V> valueType) {
        return inMemory(context, name, InternalSerde.of(valueType));
    }

    /** As {@link #inMemory(MockProcessorContext, String, Class)}, with values in {@code values}. */
    @SuppressWarnings("deprecation")
    public static <V> KeyValueStore<String, V> inMemory(MockProcessorContext<?, ?> context, String name, Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
                values).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }
}
