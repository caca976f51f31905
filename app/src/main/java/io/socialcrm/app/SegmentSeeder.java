package io.socialcrm.app;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.segments.Segment;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes segment definitions to {@code segment-definitions}, e.g. the defaults into an empty topic. */
final class SegmentSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSeeder.class);

    private SegmentSeeder() {
    }

    /** True if the topic has never held a record (every partition's end offset is 0). */
    static boolean isEmpty(String bootstrapServers, Topic<?> topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicDump.consumer(bootstrapServers)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name(), Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            return end.values().stream().allMatch(offset -> offset == 0);
        }
    }

    static void write(String bootstrapServers, Properties clientProps, Topics topics, SchemaRegistryConfig registry,
                      List<SegmentDefinition> definitions) {
        try (ContractWriter writer = new ContractWriter(bootstrapServers, clientProps, registry,
                DeliveryTracker.DEFAULT_STALL_LIMIT)) {
            for (SegmentDefinition d : definitions) {
                writer.send(topics.segmentDefinitions, Segment.keyOf(d), d);
            }
        }
        LOG.info("Wrote {} segment definition(s) to {}", definitions.size(), topics.segmentDefinitions.name());
    }
}
