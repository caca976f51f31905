package io.socialcrm.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class TopInfluencersTest {

    private static KeyValueStore<String, String> store() {
        KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("influence-index"),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    /** What /influencers/top reads: the store's customers in the order of their rank keys. */
    private static List<String> listed(KeyValueStore<String, String> store) {
        java.util.TreeMap<String, String> byRank = new java.util.TreeMap<>();
        try (var all = store.all()) {
            all.forEachRemaining(kv -> byRank.put(kv.value, kv.key));
        }
        return new ArrayList<>(byRank.values());
    }

    @Test
    void keepsTheMostInfluentialInOrderAndMovesEntriesWithTheirCustomer() {
        KeyValueStore<String, String> store = store();
        TopInfluencers top = new TopInfluencers(store, 3);
        top.offer("a", 1.0);
        top.offer("b", 5.0);
        top.offer("c", 3.0);
        top.offer("d", 0.5); // full, and below the last: left out
        assertEquals(List.of(), listed(store), "the store follows at the next sync");
        top.sync();
        assertEquals(List.of("b", "c", "a"), listed(store));
        top.offer("d", 4.0); // above the last: enters, the last leaves
        top.sync();
        assertEquals(List.of("b", "d", "c"), listed(store));
        top.offer("c", 9.0); // moves, no second entry
        top.sync();
        assertEquals(List.of("c", "b", "d"), listed(store));
        assertTrue(top.remove("b"));
        assertFalse(top.remove("b"));
        assertEquals(List.of("c", "d"), listed(store), "a removal reaches the store at once");
    }

    /** The list's rule stated plainly (each offer's key built and compared): what the ranking must match. */
    private static final class Model {
        private final int capacity;
        private final java.util.TreeMap<String, String> ranked = new java.util.TreeMap<>();
        private final java.util.Map<String, String> keyOf = new java.util.HashMap<>();

        Model(int capacity) {
            this.capacity = capacity;
        }

        void offer(String id, double raw) {
            String key = InfluenceIndex.key(raw, id);
            String old = keyOf.get(id);
            if (old != null) {
                ranked.remove(old);
            } else if (ranked.size() >= capacity && key.compareTo(ranked.lastKey()) > 0) {
                return;
            }
            ranked.put(key, id);
            keyOf.put(id, key);
            while (ranked.size() > capacity) {
                keyOf.remove(ranked.pollLastEntry().getValue());
            }
        }

        void remove(String id) {
            String key = keyOf.remove(id);
            if (key != null) {
                ranked.remove(key);
            }
        }

        List<String> listed() {
            return new ArrayList<>(ranked.values());
        }
    }

    @Test
    void offersAmongRandomMovesTiesAndRemovalsRankAsTheRuleSays() {
        KeyValueStore<String, String> store = store();
        TopInfluencers top = new TopInfluencers(store, 20);
        Model model = new Model(20);
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 20_000; i++) {
            String id = "c" + random.nextInt(200);
            if (random.nextInt(50) == 0) {
                top.remove(id);
                model.remove(id);
                continue;
            }
            // few distinct values, so that ties with the last entry are common; rising, so the list moves
            double raw = random.nextInt(8) == 0 ? 0.0 : Math.floor(random.nextDouble() * 10 + i / 2_000.0);
            top.offer(id, raw);
            model.offer(id, raw);
            if (i % 500 == 499) {
                top.sync();
                assertEquals(model.listed(), listed(store), "after offer " + i);
            }
        }
    }

    @Test
    void aCompletedSweepRanksExactlyWhateverDecayDid() {
        Random random = new Random(7);
        KeyValueStore<String, String> store = store();
        TopInfluencers top = new TopInfluencers(store, 50);
        Map<String, Double> raw = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 2_000; i++) {
                String id = "c" + random.nextInt(1_000);
                double value = raw.merge(id, random.nextDouble(), Double::sum);
                top.offer(id, value);
            }
        }
        // a sweep: every customer once more, as it stands now; some decayed more than others
        raw.replaceAll((id, value) -> value * (id.hashCode() % 2 == 0 ? 0.5 : 0.9));
        top.beginPass();
        raw.forEach(top::offer);
        top.completePass();
        top.sync();
        List<String> expected = raw.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(50).map(Map.Entry::getKey).toList();
        assertEquals(expected, listed(store));
        assertEquals(50, top.size());
    }

    @Test
    void aProcessorStartedOnAFilledStoreKnowsItsEntries() {
        KeyValueStore<String, String> store = store();
        TopInfluencers first = new TopInfluencers(store, 3);
        first.offer("a", 2.0);
        first.sync();
        TopInfluencers again = new TopInfluencers(store, 3);
        again.offer("a", 3.0);
        again.sync();
        assertEquals(List.of("a"), listed(store), "moved, not listed twice");
    }
}
