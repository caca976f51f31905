package io.socialcrm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.common.Routed;
import io.socialcrm.metrics.MetricsBuffer.Count;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A metrics buffer in a running task: however many counts a commit holds, its store (and so its
 * changelog) is written once, just before the commit, and then holds every one of them, under
 * exactly-once and at-least-once alike (the test driver commits after each input record).
 */
class MetricsBufferCommitTest {
    private static final long HOUR = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();
    private static final String STORE = "buffer";
    private static final String MARKS = "buffer-marks";

    /** Counts one SEEN per character of the value, each in an hour of its own. */
    static final class Counting implements Processor<String, String, String, Routed> {
        private MetricsBuffer buffer;

        @Override
        public void init(ProcessorContext<String, Routed> context) {
            buffer = MetricsBuffer.sending(context, STORE, "counter", Duration.ofDays(1), MARKS);
        }

        @Override
        public void process(Record<String, String> record) {
            for (int i = 0; i < record.value().length(); i++) {
                buffer.count(String.valueOf(record.value().charAt(i)), HOUR + i * MetricsBuffer.HOUR_MS, Count.SEEN);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE})
    void aCommitWritesTheBufferOnceWithEveryCountItHolds(String guarantee) {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("counter", Counting::new, "in");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), MetricsDeltasSerde.INSTANCE),
                "counter");
        topology.addStateStore(MetricsBuffer.marksStore(MARKS), "counter");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, MetricsDeltas> changelog = driver.createOutputTopic("app-" + STORE + "-changelog",
                    Serdes.String().deserializer(), MetricsDeltasSerde.INSTANCE.deserializer());

            in.pipeInput("k", "abc", HOUR);
            List<MetricsDeltas> written = changelog.readValuesToList();
            assertEquals(1, written.size(), "three counts, one commit: one changelog record");
            assertEquals(List.of("a", "b", "c"), written.get(0).getDeltas().stream().map(MetricsDelta::getPlatform).toList());

            in.pipeInput("k", "aaaa", HOUR);
            written = changelog.readValuesToList();
            assertEquals(1, written.size());
            List<MetricsDelta> held = written.get(0).getDeltas();
            assertEquals(6, held.size(), "what the commit before held, and this one's counts");
            assertEquals(2L, held.get(0).getSeen(), "a in the first hour, counted by both records");
            assertEquals(7L, held.stream().mapToLong(MetricsDelta::getSeen).sum(), "three counts and four");
            assertEquals(held, driver.<String, MetricsDeltas>getKeyValueStore(STORE).get("counter").getDeltas(),
                    "the store holds what its changelog says");

            in.pipeInput("k", "", HOUR);
            assertEquals(List.of(), changelog.readValuesToList(), "no count, no write");
        }
    }
}
