package io.socialcrm.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Writes a topic, from its beginning to its current end (committed records only), as JSON lines:
 * {@code {"key": "...", "value": {...} or null, "timestamp": ms}}, the value as plain JSON with the
 * Avro field names; dead letters keep their bytes in base64 and their headers. A compacted topic is
 * written as it reads once compacted: the latest record of each key, keys whose latest record is a
 * tombstone left out.
 */
public final class TopicDump {
    private TopicDump() {
    }

    /** Writes {@code dir/<topic>.jsonl}; returns the number of records. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static long write(String bootstrapServers, Topic<?> topic, SchemaRegistryConfig registry, Path dir) throws IOException {
        Deserializer<? extends SpecificRecord> values = topic.valueType() == byte[].class ? null
                : Topics.valueSerde((Topic) topic, registry).deserializer();
        Path file = dir.resolve(topic.baseName() + ".jsonl");
        boolean compacted = topic.kind().isCompacted();
        Map<String, String> latest = new LinkedHashMap<>();
        long[] written = {0};
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            forEachRecord(bootstrapServers, topic.name(), record -> {
                ObjectNode line = PlainJson.MAPPER.createObjectNode();
                line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
                if (record.value() == null) {
                    line.putNull("value");
                } else if (values == null) {
                    line.put("value", Base64.getEncoder().encodeToString(record.value()));
                    ObjectNode headers = line.putObject("headers");
                    for (Header h : record.headers()) {
                        headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                    }
                } else {
                    line.set("value", PlainJson.write((IndexedRecord) values.deserialize(topic.name(), record.value())));
                }
                line.put("timestamp", record.timestamp());
                String text = PlainJson.MAPPER.writeValueAsString(line);
                if (compacted) {
                    String key = line.path("key").asText();
                    latest.remove(key);
                    if (record.value() != null) {
                        latest.put(key, text);
                    }
                } else {
                    out.write(text);
                    out.newLine();
                    written[0]++;
                }
            });
            for (String text : latest.values()) {
                out.write(text);
                out.newLine();
                written[0]++;
            }
        }
        return written[0];
    }

    /** What to do with each record of a topic. */
    @FunctionalInterface
    interface RecordAction {
        void accept(ConsumerRecord<byte[], byte[]> record) throws IOException;
    }

    /**
     * Calls {@code action} for every committed record of a topic, from its beginning to its end as
     * of the call, partition by partition in offset order.
     */
    static void forEachRecord(String bootstrapServers, String topic, RecordAction action) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (!caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    action.accept(record);
                }
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
