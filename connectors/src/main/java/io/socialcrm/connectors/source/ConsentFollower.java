package io.socialcrm.connectors.source;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.serde.AvroDeserializer;
import io.socialcrm.serde.SchemaRegistryClients;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.serde.SerdeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole {@code consents} topic, from the beginning and then as it grows, and keeps the
 * user ids of one platform whose consent in force is GRANTED with ACTIVITY scope: the accounts a
 * source connector follows, or keeps events of. The rules are the consent recorder's: the latest {@code recordedAt} wins, a revocation or
 * a deleted consent (tombstone) ends following. No consumer group: every task reads everything.
 */
public final class ConsentFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentFollower.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<ConsentRecord> values;
    private final String topic;
    private final String platform;
    private final Thread thread;
    /** Account key to (recordedAt, followed user id or null). */
    private final Map<String, Held> held = new HashMap<>();
    private final AtomicLong version = new AtomicLong();
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile Set<String> followed = Set.of();

    private record Held(long recordedAt, String userId) {
    }

    /**
     * @param platform    whose consents count, e.g. {@code bluesky}
     * @param clientProps the consumer's settings and the schema registry's ({@code bootstrap.servers},
     *                    {@code schema.registry.url}...)
     */
    public ConsentFollower(String platform, Map<String, Object> clientProps, String topic) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "socialcrm-" + platform + "-consents");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.values = new AvroDeserializer<>(ConsentRecord.class, SchemaRegistryClients.create(SchemaRegistryConfig.from(clientProps)));
        this.topic = topic;
        this.platform = platform;
        this.thread = new Thread(this::run, "socialcrm-" + platform + "-consents");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** The consented user ids now, in order (the same set gives the same order). */
    public Set<String> followed() {
        return followed;
    }

    /** Grows by one each time the followed set changes. */
    public long version() {
        return version.get();
    }

    /** True once everything the topic held at start has been read. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    changed |= apply(r);
                }
                if (changed) {
                    publish();
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.info("Consents read: following {} consented account(s)", followed.size());
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the consumer
        } catch (RuntimeException e) {
            LOG.error("Reading the consents topic '{}' failed; the followed accounts stay as they are: {}", topic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TopicPartition> partitions() {
        while (running) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            LOG.warn("Consents topic '{}' does not exist yet; waiting for it", topic);
            sleep(5_000);
        }
        throw new WakeupException();
    }

    private boolean apply(ConsumerRecord<String, byte[]> r) {
        String key = r.key();
        if (key == null || !key.startsWith(platform + ":")) {
            return false;
        }
        if (r.value() == null) {
            return held.remove(key) != null;
        }
        ConsentRecord consent;
        try {
            consent = values.deserialize(r.topic(), r.value());
        } catch (SerdeException e) {
            LOG.warn("Skipped an unreadable consent at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            return false;
        }
        long recordedAt = consent.getRecordedAt().toEpochMilli();
        Held before = held.get(key);
        if (before != null && recordedAt < before.recordedAt()) {
            return false;
        }
        String userId = null;
        if (consent.getStatus() == ConsentStatus.GRANTED && consent.getScopes().contains(ConsentScope.ACTIVITY)) {
            userId = consent.getPlatformUserId();
        }
        held.put(key, new Held(recordedAt, userId));
        return before == null || !java.util.Objects.equals(before.userId(), userId);
    }

    private void publish() {
        Set<String> ids = new TreeSet<>();
        held.values().forEach(h -> {
            if (h.userId() != null) {
                ids.add(h.userId());
            }
        });
        if (!ids.equals(followed)) {
            followed = java.util.Collections.unmodifiableSet(ids); // in order: the same set gives the same request
            version.incrementAndGet();
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops reading. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
