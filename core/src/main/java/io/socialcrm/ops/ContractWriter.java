package io.socialcrm.ops;

import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes contract records (Avro in the wire format, keys as UTF-8) the way every socialcrm writer
 * does: through a {@linkplain Producers safe producer}, counting what the broker acknowledges, and
 * failing loudly, naming the stuck topic-partition and the broker's error, when nothing is
 * acknowledged for the stall limit ({@link DeliveryTracker}). A record the broker did not take
 * fails {@link #flush()} and {@link #close()}: nothing is lost quietly.
 *
 * <p>Records carry the time they are written (their event time is in the value, where the topology
 * reads it): Kafka rolls, retains and expires producer state by record timestamp, which replayed,
 * years-old timestamps would upset.
 */
public final class ContractWriter implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final SchemaRegistryConfig registry;
    private final DeliveryTracker tracker;
    private final Map<Topic<?>, Serializer<SpecificRecord>> serializers = new HashMap<>();

    /**
     * {@code settings}: the producer's besides the safety settings (linger, batch size, compression);
     * {@code stallLimit}: how long no acknowledgement at all is tolerated.
     */
    public ContractWriter(String bootstrapServers, Map<?, ?> settings, SchemaRegistryConfig registry, Duration stallLimit) {
        Map<Object, Object> props = new HashMap<>(settings);
        // a full buffer blocks send() no longer than a stall may last, then says what is stuck
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(stallLimit.toMillis()));
        this.producer = Producers.create(bootstrapServers, props, Topics.keySerde().serializer(), new ByteArraySerializer());
        this.registry = registry;
        this.tracker = new DeliveryTracker(stallLimit);
    }

    /** Sends one record; throws {@link DeliveryTracker.StalledException} if the producer is stuck. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
        tracker.check();
        Serializer<SpecificRecord> serializer = serializers.computeIfAbsent(topic,
                t -> (Serializer) Topics.valueSerde((Topic) t, registry).serializer());
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, serializer.serialize(topic.name(), value)),
                    tracker.track(topic.name()));
        } catch (TimeoutException bufferFull) {
            throw new DeliveryTracker.StalledException("Stuck writing to Kafka (the producer's buffer stayed full): " + tracker.describeStall());
        }
    }

    /**
     * Waits until the broker has acknowledged everything sent; throws if a record failed or the
     * producer is stuck. (Not {@code KafkaProducer.flush()}: that would wait out the delivery
     * timeout on a stuck partition; lingering batches go out by themselves within {@code linger.ms}.)
     */
    public void flush() {
        tracker.awaitCompleted();
        tracker.throwIfFailed();
    }

    /** Records sent and not yet acknowledged. */
    public long pending() {
        return tracker.pending();
    }

    @Override
    public void close() {
        try {
            tracker.awaitCompleted();
            tracker.throwIfFailed();
        } finally {
            // after a stall, do not wait for the stuck records a second time
            producer.close(tracker.pending() > 0 ? Duration.ZERO : Duration.ofSeconds(30));
        }
    }
}
