package io.socialcrm.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.common.TopologySettings.Batching;
import io.socialcrm.errors.FailedInBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * What a task sends to a batched hop within one commit arrives as one record per target partition,
 * on that partition, with every event, its key and its timestamp, in order; nothing waits past the
 * commit. The test driver commits after each input record, so one input that fans out into many
 * events stands for a commit's worth.
 */
class PartitionBatchesTest {
    private static final int PARTITIONS = 3;
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final long LIVE_LAG_MS = 30_000;

    /** Packs as "key@timestamp=value" items joined by '|', behind a "batch:" prefix. */
    private static String pack(List<PartitionBatches.Batched<String>> events) {
        return "batch:" + events.stream().map(e -> e.key() + "@" + e.timestamp() + "=" + e.value()).collect(Collectors.joining("|"));
    }

    private static int partitionOf(String key) {
        // the producer's own rule, so that the test checks PartitionBatches against Kafka and not against itself
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    /**
     * in: value "k1,k2,..." fans out into events keyed k1, k2... (value "v&lt;i&gt;", the input's timestamp, or
     * that plus s seconds for "k:s") batched to out.
     */
    private static TopologyTestDriver driver(StoreBuilder<KeyValueStore<Integer, Integer>> marks) {
        return driver(marks, Batching.ALWAYS);
    }

    /** The same, batching {@code when}; the driver's wall clock stands at {@link #T0}. */
    private static TopologyTestDriver driver(StoreBuilder<KeyValueStore<Integer, Integer>> marks, Batching when) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(marks);
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(Record<String, String> record) {
                        String[] keys = record.value().split(",");
                        for (int i = 0; i < keys.length; i++) {
                            // "key:-60": an event a minute older than the input
                            String[] key = keys[i].split(":");
                            long time = record.timestamp() + (key.length > 1 ? Long.parseLong(key[1]) * 1000 : 0);
                            context().forward(new Record<>(key[0], "v" + i, time));
                        }
                    }
                })
                .process(() -> new PartitionBatches<String>(when, LIVE_LAG_MS, "marks", PARTITIONS, Serdes.String().serializer(),
                        PartitionBatchesTest::pack), "marks")
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "batches-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new TopologyTestDriver(builder.build(), props, T0);
    }

    /** The events the output records carry, in order: key=value. */
    private static List<String> unpacked(List<TestRecord<String, String>> records) {
        List<String> events = new ArrayList<>();
        for (TestRecord<String, String> r : records) {
            if (r.value().startsWith("batch:")) {
                for (String item : r.value().substring("batch:".length()).split("\\|")) {
                    events.add(item.replaceFirst("@\\d+", ""));
                }
            } else {
                events.add(r.key() + "=" + r.value());
            }
        }
        return events;
    }

    @Test
    void aCommitsEventsGoAsOneRecordPerTargetPartitionWithEveryEventInOrder() {
        List<String> keys = IntStream.range(0, 40).mapToObj(i -> "customer-" + i).toList();
        try (TopologyTestDriver driver = driver(PartitionBatches.marksStore("marks"))) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("x", String.join(",", keys), T0.plusSeconds(5));
            List<TestRecord<String, String>> records = out.readRecordsToList();

            assertEquals(PARTITIONS, records.size(), "one record per target partition, not one per event");
            Map<Integer, List<String>> expected = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                expected.computeIfAbsent(partitionOf(keys.get(i)), p -> new ArrayList<>()).add(keys.get(i) + "=v" + i);
            }
            for (TestRecord<String, String> r : records) {
                List<String> events = unpacked(List.of(r));
                int partition = partitionOf(r.key());
                assertEquals(expected.get(partition), events, "the partition's events, in order, under the key of the first");
                assertEquals(T0.plusSeconds(5).toEpochMilli(), r.timestamp());
                assertTrue(r.value().contains("@" + T0.plusSeconds(5).toEpochMilli() + "="), "each event keeps its timestamp");
            }
        }
    }

    @Test
    void aBatchOfOneGoesAsTheEventItselfAndNothingWaitsPastTheCommit() {
        try (TopologyTestDriver driver = driver(PartitionBatches.marksStore("marks"))) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("x", "alice", T0);
            assertEquals(List.of(new KeyValue<>("alice", "v0")), out.readKeyValuesToList(), "sent at the commit, unwrapped");
            in.pipeInput("x", "bob", T0.plusSeconds(1));
            assertEquals(List.of(new KeyValue<>("bob", "v0")), out.readKeyValuesToList(), "a new batch after each commit");
        }
    }

    @Test
    void inABackfillOnlyEventsOlderThanTheLiveLagWaitAndEachPartitionKeepsItsOrder() {
        // every third event live (the driver's wall clock is T0), the others an hour old
        List<String> keys = IntStream.range(0, 30).mapToObj(i -> "customer-" + i + (i % 3 == 1 ? "" : ":-3600")).toList();
        try (TopologyTestDriver driver = driver(PartitionBatches.marksStore("marks"), Batching.BACKFILL)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("x", String.join(",", keys), T0);
            List<TestRecord<String, String>> records = out.readRecordsToList();

            Map<Integer, List<String>> expected = new LinkedHashMap<>();
            Map<Integer, List<String>> actual = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i).split(":")[0];
                expected.computeIfAbsent(partitionOf(key), p -> new ArrayList<>()).add(key + "=v" + i);
            }
            int batches = 0;
            for (TestRecord<String, String> r : records) {
                boolean batch = r.value().startsWith("batch:");
                batches += batch ? 1 : 0;
                for (String event : unpacked(List.of(r))) {
                    int index = Integer.parseInt(event.substring(event.indexOf("=v") + 2));
                    assertTrue(index % 3 != 1 || !batch, event + ": a live event goes alone"); // an older one too if its batch held only it
                    actual.computeIfAbsent(partitionOf(r.key()), p -> new ArrayList<>()).add(event);
                }
            }
            assertEquals(expected, actual, "every event, and each partition's in the order they came");
            assertTrue(batches > 0 && records.size() < keys.size(), records.size() + " records for " + keys.size() + " events");
        }
    }

    @Test
    void neverMeansEveryEventAlone() {
        try (TopologyTestDriver driver = driver(PartitionBatches.marksStore("marks"), Batching.NEVER)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("x", "alice:-3600,bob:-3600,alice:-3600", T0);
            assertEquals(List.of(new KeyValue<>("alice", "v0"), new KeyValue<>("bob", "v1"), new KeyValue<>("alice", "v2")),
                    out.readKeyValuesToList());
        }
    }

    @Test
    void aBatchGoesAtOnceWhenFullSoNoRecordGrowsWithoutBound() {
        int events = 2 * PartitionBatches.MAX_BATCH + 100;
        try (TopologyTestDriver driver = driver(PartitionBatches.marksStore("marks"))) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("x", String.join(",", java.util.Collections.nCopies(events, "alice")), T0);
            List<TestRecord<String, String>> records = out.readRecordsToList();
            assertEquals(List.of(PartitionBatches.MAX_BATCH, PartitionBatches.MAX_BATCH, 100),
                    records.stream().map(r -> unpacked(List.of(r)).size()).toList());
            assertEquals(IntStream.range(0, events).mapToObj(i -> "alice=v" + i).toList(), unpacked(records));
        }
    }

    @Test
    void underAtLeastOnceBatchesAlsoGoOftenSinceRecordsAreReadWhenWritten() {
        assertEquals(25, PartitionBatches.sendEveryMs("50"), "50 ms commits: a send half-way");
        assertEquals(PartitionBatches.MAX_WAIT_MS, PartitionBatches.sendEveryMs("30000"),
                "at-least-once's 30 s commits: records are read when written, so batching adds at most this");
        assertEquals(5, PartitionBatches.sendEveryMs("1"));
        assertEquals(PartitionBatches.MAX_WAIT_MS, PartitionBatches.sendEveryMs(null));
    }

    @Test
    void withoutACacheEveryEventGoesAlone() {
        StoreBuilder<KeyValueStore<Integer, Integer>> uncached = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("marks"),
                Serdes.Integer(), Serdes.Integer()).withLoggingDisabled();
        try (TopologyTestDriver driver = driver(uncached)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("x", "a,b,c,d", T0);
            assertEquals(List.of(new KeyValue<>("a", "v0"), new KeyValue<>("b", "v1"), new KeyValue<>("c", "v2"), new KeyValue<>("d", "v3")),
                    out.readKeyValuesToList());
        }
    }

    @Test
    void aFailedEventDoesNotStopTheOthersAndOnlyTheFailedOnesAreThrownForDeadLetters() {
        List<String> processed = new ArrayList<>();
        FailedInBatch failure = assertThrows(FailedInBatch.class, () -> io.socialcrm.errors.BatchedEvents.forEach(List.of("a", "bad1", "b", "bad2", "c"),
                e -> {
                    if (e.startsWith("bad")) {
                        throw new IllegalArgumentException("refused " + e);
                    }
                    processed.add(e);
                },
                failed -> String.join(",", failed).getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("a", "b", "c"), processed);
        assertEquals("bad1,bad2", new String(failure.value(), StandardCharsets.UTF_8), "the dead letter holds the failed events only");
        assertTrue(failure.getMessage().startsWith("2 of the 5 events"), failure.getMessage());
        assertEquals("refused bad1", failure.getCause().getMessage());
    }

    @Test
    void kafkaStreamsOwnSignalsStopTheBatchAtOnce() {
        List<String> processed = new ArrayList<>();
        TaskMigratedException migrated = new TaskMigratedException("migrated");
        TaskMigratedException thrown = assertThrows(TaskMigratedException.class, () -> io.socialcrm.errors.BatchedEvents.forEach(
                Arrays.asList("a", "b", "c"),
                e -> {
                    if (e.equals("b")) {
                        throw migrated;
                    }
                    processed.add(e);
                },
                failed -> new byte[0]));
        assertSame(migrated, thrown);
        assertEquals(List.of("a"), processed, "nothing after the signal");
    }
}
