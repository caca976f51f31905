package io.socialcrm.ops;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one way socialcrm's own producers (the replay loader, the demo's and bench's generator sink,
 * the segment seeder, the tests' helpers) are configured.
 *
 * <p><b>Why one request in flight.</b> Kafka brokers up to 4.4 accept any first sequence number
 * from an idempotent producer on a partition that holds no state for it (KAFKA-15591, also
 * KAFKA-14312 and KAFKA-19880; fixed on the broker side for Kafka 4.5 by apache/kafka#23234). With
 * several requests in flight, a request A (sequence 0) that reaches a just-created partition before
 * the broker has applied it is refused with {@code NOT_LEADER_OR_FOLLOWER}, the next request B
 * (sequence 1 on) lands a moment later and is appended, and every retry of A is then refused with
 * {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until {@code delivery.timeout.ms} drops its records. With
 * one request in flight per connection B is not sent before A is answered, so the window cannot
 * reorder them: the producer stays exactly-once-in-order on any partition, new or old. This is the
 * setting Kafka Connect itself gives its source tasks' producers. Its cost is small here: each
 * request carries a batch for every partition of the broker, and the writers batch generously
 * ({@code linger.ms}). The other way, a probe write to every partition before real ones, would put
 * records into contract topics that readers then have to skip.
 *
 * <p>Besides: idempotence and {@code acks=all} (nothing lost or doubled by a retry), and a delivery
 * timeout a user can wait for (2 minutes, Kafka's default); a stall is reported well before that
 * by {@link DeliveryTracker}.
 */
public final class Producers {
    /** Settings for loading a file or a generated population at once: large, compressed batches. */
    public static final Map<String, String> BULK_LOAD = Map.of(
            ProducerConfig.LINGER_MS_CONFIG, "20",
            ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024),
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");

    /** Kafka's default: long enough for a broker restart, short enough to wait for. */
    public static final int DELIVERY_TIMEOUT_MS = 120_000;

    private Producers() {
    }

    /**
     * Producer properties for {@code bootstrapServers}: {@code settings} (linger, batch size,
     * compression...) with the safety settings above on top of them.
     */
    public static Properties settings(String bootstrapServers, Map<?, ?> settings) {
        Properties props = new Properties();
        props.putAll(settings);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(DELIVERY_TIMEOUT_MS));
        return props;
    }

    /** A producer with {@link #settings}. */
    public static <K, V> KafkaProducer<K, V> create(String bootstrapServers, Map<?, ?> settings, Serializer<K> keys,
                                                    Serializer<V> values) {
        return new KafkaProducer<>(settings(bootstrapServers, settings), keys, values);
    }
}
