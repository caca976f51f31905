package io.socialcrm.http;

import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.segments.Segment;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's connection to Kafka: a producer for published definitions (one per publication: it
 * is rare) and a reader of {@code segment-changes} and {@code consent-take-up} from their beginning
 * (committed records only, no consumer group: every instance reads every partition) feeding a
 * {@link ChangeFeed} and the {@link TakeUpTotals}.
 */
public final class KafkaConsoleBackend implements ConsoleBackend {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaConsoleBackend.class);

    private final String bootstrapServers;
    private final Properties clientProps;
    private final Topics topics;
    private final SchemaRegistryConfig registry;
    private final ChangeFeed feed = new ChangeFeed();
    private final TakeUpTotals takeUp = new TakeUpTotals();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private volatile boolean closed;

    /** {@code clientProps}: the clients' connection settings (security, bootstrap) of the application. */
    public KafkaConsoleBackend(String bootstrapServers, Properties clientProps, Topics topics, SchemaRegistryConfig registry) {
        this.bootstrapServers = bootstrapServers;
        this.clientProps = clientProps;
        this.topics = topics;
        this.registry = registry;
        this.consumer = reader("socialcrm-console-changes");
        this.reader = new Thread(this::read, "socialcrm-console-changes");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void publish(SegmentDefinition definition) {
        try (ContractWriter writer = new ContractWriter(bootstrapServers, clientProps, registry, DeliveryTracker.DEFAULT_STALL_LIMIT)) {
            writer.send(topics.segmentDefinitions, Segment.keyOf(definition), definition);
        }
    }

    @Override
    public List<SegmentChange> history(String customerId, boolean shadow) {
        Topic<SegmentChange> topic = shadow ? topics.segmentShadowChanges : topics.segmentChanges;
        Deserializer<SegmentChange> values = Topics.valueSerde(topic, registry).deserializer();
        byte[] key = customerId.getBytes(StandardCharsets.UTF_8);
        List<SegmentChange> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = reader("socialcrm-console-history")) {
            int partitions = reader.partitionsFor(topic.name(), Duration.ofSeconds(30)).size();
            // where the topology's producer put the key: Kafka's default partitioner for a keyed record
            TopicPartition partition = new TopicPartition(topic.name(), Utils.toPositive(Utils.murmur2(key)) % partitions);
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long end = reader.endOffsets(List.of(partition)).get(partition);
            while (reader.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(500))) {
                    if (r.value() != null && Arrays.equals(key, r.key())) {
                        out.add(values.deserialize(topic.name(), r.headers(), r.value()));
                    }
                }
            }
        }
        return out;
    }

    /** A consumer of committed records, with no group (it is assigned partitions), from the beginning. */
    private KafkaConsumer<byte[], byte[]> reader(String clientId) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public ChangeFeed changes() {
        return feed;
    }

    @Override
    public TakeUpTotals takeUp() {
        return takeUp;
    }

    private void read() {
        String topic = topics.segmentChanges.name();
        String takeUpTopic = topics.consentTakeUp.name();
        Deserializer<SegmentChange> values = Topics.valueSerde(topics.segmentChanges, registry).deserializer();
        Deserializer<ConsentTakeUp> takeUps = Topics.valueSerde(topics.consentTakeUp, registry).deserializer();
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String name : List.of(topic, takeUpTopic)) {
                consumer.partitionsFor(name, Duration.ofMinutes(1)).forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            boolean caughtUp = false;
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        if (record.topic().equals(takeUpTopic)) {
                            String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
                            takeUp.accept(key, record.value() == null ? null : takeUps.deserialize(takeUpTopic, record.headers(), record.value()));
                        } else if (record.value() != null) {
                            feed.accept(values.deserialize(topic, record.headers(), record.value()));
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("Skipped an unreadable record of {} at partition {} offset {}: {}", record.topic(), record.partition(),
                                record.offset(), e.getClass().getSimpleName());
                    }
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    feed.caughtUp(System.currentTimeMillis());
                    LOG.info("The console follows {} and {} (history read)", topic, takeUpTopic);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                LOG.warn("The console's reader of {} stopped", topic);
            }
        } catch (RuntimeException e) {
            LOG.warn("The console's reader of {} stopped: {}", topic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
