package io.socialcrm.topology;

import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.errors.DeadLetterHandlers;
import io.socialcrm.serde.SchemaRegistryConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams properties from socialcrm settings: production defaults, the user's Kafka settings on top. */
public final class StreamsProperties {
    /**
     * The commit interval under exactly-once unless one is set (Kafka Streams' is 100 ms): an
     * activity reaches its segment change through two commits, one per stage, and each waits for
     * the next commit. In {@code socialcrm bench} (at 40 % of capacity) p50 / p99 event to segment
     * change were 138–177 / 213–404 ms at 50 ms against 236–243 / 335–432 ms at 100 ms, for about
     * 0.1–0.2 more records written per activity (a store's cache writes a key once per commit). For a
     * backfill set a longer one: live records still get a commit every {@code commit.live.interval}
     * ({@link io.socialcrm.common.LiveCommits}); {@code bench} backfilled 4,433 and 5,783 activities/s
     * at 500 ms against 3,099–3,533/s at 50 ms.
     */
    public static final long EOS_COMMIT_INTERVAL_MS = 50;

    private StreamsProperties() {
    }

    public static Properties of(Settings settings, TopologySettings topology) {
        Properties props = new Properties();
        settings.values().forEach((key, value) -> {
            if (AppConfig.isPassThrough(key)) {
                props.put(key, value.value());
            }
        });
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topology.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.require(AppConfig.BOOTSTRAP_SERVERS.name(),
                "the Kafka brokers, e.g. broker:9092"));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Deserialization.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Processing.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Production.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topology.topics().deadLetters.name());
        props.put(DeadLetterHandlers.COUNTERS_CONFIG, topology.counters());
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
        props.put(BoundedRocksDb.TOTAL_BYTES, Long.toString(settings.bytes(AppConfig.ROCKSDB_MEMORY.name())));
        props.put(BoundedRocksDb.PURGE_SECONDS, Long.toString(Math.max(1, settings.duration(AppConfig.ROCKSDB_PURGE.name()).toSeconds())));
        props.putIfAbsent(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
        // the changelogs' segments roll (at the next append: a compaction marker at the latest) and are cleaned
        // within erasure.compaction.lag, so that an erasure's tombstones take the erased records away in time
        props.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG), Long.toString(topology.compactionLag().toMillis()));
        defaultCommitInterval(props);
        // the global table reads sketches only; enabling the handler there is Kafka's recommended setting
        props.putIfAbsent(globalHandlerKey(), "true");
        // Kafka Streams' partition assignor reads a configuration of its own, made from the main consumer's
        // settings only, and warned at every start that the handler was off: it is given the same value
        props.putIfAbsent(StreamsConfig.mainConsumerPrefix(globalHandlerKey()), props.get(globalHandlerKey()));
        return props;
    }

    /** Sets {@link #EOS_COMMIT_INTERVAL_MS} when {@code props} ask for exactly-once and set no commit interval. */
    public static void defaultCommitInterval(Properties props) {
        if (StreamsConfig.EXACTLY_ONCE_V2.equals(String.valueOf(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)))) {
            props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(EOS_COMMIT_INTERVAL_MS));
        }
    }

    @SuppressWarnings("deprecation")
    private static String globalHandlerKey() {
        return StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG;
    }

    /** The schema-registry settings among the socialcrm settings. */
    public static SchemaRegistryConfig registry(Settings settings) {
        Map<String, Object> map = new LinkedHashMap<>();
        settings.values().forEach((key, value) -> map.put(key, value.value()));
        map.put(SchemaRegistryConfig.URL, settings.require(AppConfig.SCHEMA_REGISTRY_URL.name(),
                "the schema registry, e.g. http://registry:8081"));
        return SchemaRegistryConfig.from(map);
    }
}
