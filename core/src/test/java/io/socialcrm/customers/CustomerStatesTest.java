package io.socialcrm.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.Routed;
import io.socialcrm.serde.InternalSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The customer states' write-back buffer in a running task (the test driver commits after each input
 * record): a customer changed several times within a commit is written to the store, and its
 * changelog, once, with its last state; the store holds what its changelog says; a deletion goes at
 * once; iterating sees what waits; and a state read again is the one in the heap, not decoded anew.
 */
class CustomerStatesTest {
    private static final String STORE = "states";
    private static final String MARKS = "states-marks";

    /**
     * Input "a b a" adds a change to the states of a, b, then a (get, change, put each time; the changes
     * are counted in a list of the state); "-a" deletes a; "?" lists every state the buffer's iterator
     * sees, as "id=changes" values.
     */
    static final class Changing implements Processor<String, String, String, Routed> {
        private final int capacity;
        private CustomerStates states;
        /** What "?" saw. */
        static final List<String> LISTED = new ArrayList<>();
        /** The objects the last record's reads returned, per read. */
        static final List<CustomerState> READ = new ArrayList<>();

        Changing(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void init(ProcessorContext<String, Routed> context) {
            LISTED.clear();
            states = new CustomerStates(context.getStateStore(STORE), capacity);
            states.writeBeforeCommit(BeforeCommit.bind(context, MARKS, states::flush, true));
        }

        @Override
        public void process(Record<String, String> record) {
            READ.clear();
            for (String word : record.value().split(" ")) {
                if (word.equals("?")) {
                    try (KeyValueIterator<String, CustomerState> all = states.all()) {
                        all.forEachRemaining(kv -> LISTED.add(kv.key + "=" + kv.value.getMergedFrom().size()));
                    }
                } else if (word.startsWith("-")) {
                    states.delete(word.substring(1));
                } else {
                    CustomerState state = states.get(word);
                    READ.add(state);
                    if (state == null) {
                        state = CustomerState.newBuilder().build();
                    }
                    List<String> changes = new ArrayList<>(state.getMergedFrom());
                    changes.add("change " + changes.size());
                    state.setMergedFrom(changes);
                    states.put(word, state);
                }
            }
        }
    }

    private static TopologyTestDriver driver(String guarantee, int capacity) {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("changing", () -> new Changing(capacity), "in");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                InternalSerde.of(CustomerState.class)), "changing");
        topology.addStateStore(BeforeCommit.store(MARKS), "changing");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        return new TopologyTestDriver(topology, props);
    }

    private static TestOutputTopic<String, CustomerState> changelog(TopologyTestDriver driver) {
        return driver.createOutputTopic("app-" + STORE + "-changelog", Serdes.String().deserializer(),
                InternalSerde.of(CustomerState.class).deserializer());
    }

    /** The changes a written state counts; -1 for a tombstone. */
    private static int changes(KeyValue<String, CustomerState> kv) {
        return kv.value == null ? -1 : kv.value.getMergedFrom().size();
    }

    @ParameterizedTest
    @ValueSource(strings = {StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE})
    void aCommitWritesEachChangedCustomerOnceWithItsLastState(String guarantee) {
        try (TopologyTestDriver driver = driver(guarantee, 100)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, CustomerState> changelog = changelog(driver);

            in.pipeInput("k", "a b a a");
            List<KeyValue<String, CustomerState>> written = changelog.readKeyValuesToList();
            assertEquals(List.of("a", "b"), written.stream().map(kv -> kv.key).toList(), "once each, in the order first changed");
            assertEquals(List.of(3, 1), written.stream().map(CustomerStatesTest::changes).toList(), "each with its last state");
            KeyValueStore<String, CustomerState> store = driver.getKeyValueStore(STORE);
            assertEquals(3, store.get("a").getMergedFrom().size(), "the store holds what its changelog says");

            in.pipeInput("k", "b");
            assertEquals(List.of(2), changelog.readKeyValuesToList().stream().map(CustomerStatesTest::changes).toList());

            in.pipeInput("k", "a -a");
            written = changelog.readKeyValuesToList();
            assertEquals(1, written.size(), "a change then a deletion within one commit: the tombstone only");
            assertNull(written.get(0).value);
            assertNull(store.get("a"));

            in.pipeInput("k", "c ?");
            assertEquals(List.of("b=2", "c=1"), Changing.LISTED, "the iterator sees the change that waited");
        }
    }

    @Test
    void aStateReadAgainIsTheOneInTheHeapAndEvictedOnesComeBackFromTheStore() {
        try (TopologyTestDriver driver = driver(StreamsConfig.EXACTLY_ONCE_V2, 1)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            in.pipeInput("k", "a");
            in.pipeInput("k", "a");
            CustomerState first = Changing.READ.get(0);
            in.pipeInput("k", "a");
            assertSame(first, Changing.READ.get(0), "not read from the store and decoded again");

            in.pipeInput("k", "b"); // holds one: a is let go
            in.pipeInput("k", "a");
            assertNotSame(first, Changing.READ.get(0), "read back from the store");
            assertEquals(4, driver.<String, CustomerState>getKeyValueStore(STORE).get("a").getMergedFrom().size(),
                    "with every change: three before it was let go, and this one");
        }
    }
}
