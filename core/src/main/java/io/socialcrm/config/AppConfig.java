package io.socialcrm.config;

import io.socialcrm.contract.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every setting of socialcrm with its default, in one place. Kafka Streams and client settings
 * ({@code num.stream.threads}, {@code security.protocol}, {@code producer.*}, ...) may be given in
 * the same file and pass through to Kafka unchanged; anything else that is not listed here is
 * refused as a probable typo.
 */
public final class AppConfig {
    private AppConfig() {
    }

    public static final Setting BOOTSTRAP_SERVERS = new Setting("bootstrap.servers", null,
            "Kafka brokers, host:port[,host:port]");
    public static final Setting SCHEMA_REGISTRY_URL = new Setting("schema.registry.url", null,
            "Schema registry (Confluent API), e.g. http://registry:8081 or Apicurio's http://host/apis/ccompat/v7; mock://scope for in-process");
    public static final Setting APPLICATION_ID = new Setting("application.id", "socialcrm",
            "Kafka Streams application id: consumer group and prefix of internal topics");
    public static final Setting TOPICS_PREFIX = new Setting("topics.prefix", "",
            "Prefix of every contract topic name, e.g. 'acme.'");
    public static final Setting TOPICS_CREATE = new Setting("topics.create", "false",
            "Create missing contract topics at start (run)");
    public static final Setting TOPICS_PARTITIONS = new Setting("topics.partitions", "6",
            "Partitions of topics created by socialcrm (upper bound of app instances x threads)");
    public static final Setting TOPICS_REPLICATION = new Setting("topics.replication.factor", "3",
            "Replication factor of topics created by socialcrm (1 for a single broker)");

    public static final Setting INFLUENCE_HALFLIFE = new Setting("influence.halflife", "30d",
            "Half-life of influence counters (event time), or 'off' for no decay");
    public static final Setting MOMENTUM_HALFLIFE = new Setting("influence.momentum.halflife", "7d",
            "Short half-life of the momentum (rising) signal");
    public static final Setting WEIGHT_SHARES = new Setting("influence.weight.shares", "1.0", "Weight of log(1+shares received) in raw");
    public static final Setting WEIGHT_MENTIONS = new Setting("influence.weight.mentions", "0.8", "Weight of log(1+mentions received) in raw");
    public static final Setting WEIGHT_REPLIES = new Setting("influence.weight.replies", "0.6", "Weight of log(1+replies received) in raw");
    public static final Setting WEIGHT_LIKES = new Setting("influence.weight.likes", "0.3", "Weight of log(1+likes received) in raw");
    public static final Setting WEIGHT_ENGAGERS = new Setting("influence.weight.engagers", "1.2", "Weight of log(1+distinct engagers) in raw");
    public static final Setting WEIGHT_FOLLOWS = new Setting("influence.weight.follows", "0.3", "Weight of log(1+new follows received) in raw");
    public static final Setting WEIGHT_FOLLOWERS = new Setting("influence.weight.followers", "0.15",
            "Weight of ln(1+followers) in raw; kept small so audience size alone cannot dominate (Cha et al. 2010)");
    public static final Setting SKETCH_K = new Setting("influence.sketch.k", "400",
            "KLL sketch size of the influence distribution (rank error ~1.3/k^0.95)");
    public static final Setting MIN_POPULATION = new Setting("influence.min.population", "10",
            "Scores stay 0 until the distribution holds this many customers (a rank among very few means little)");

    public static final Setting CONTEXT_HALFLIFE = new Setting("context.halflife", "14d",
            "Half-life of context scores and of the hour-of-week histogram");
    public static final Setting CONTEXT_MAX = new Setting("context.max.per.account", "12",
            "Contexts kept per account (the weakest are dropped)");
    public static final Setting TAXONOMY_FILE = new Setting("taxonomy.file", "",
            "Context taxonomy YAML; empty for the built-in one (Klout topics, CC BY 3.0)");
    public static final Setting PLATFORMS = new Setting("platforms",
            "twitter,facebook,instagram,linkedin,tiktok,youtube,reddit,mastodon,bluesky,threads",
            "Accepted platform names (lower case); others go to dead-letters");
    public static final Setting DEDUPE_WINDOW = new Setting("dedupe.window", "7d",
            "How long event ids are remembered (as salted hashes) to drop duplicates");
    public static final Setting CREDITS_BATCHED = new Setting("credits.batched", "backfill",
            "Send a task's credits to accounts without directory entry as one record per partition and commit: backfill "
                    + "(those of records older than commit.live.lag; live ones one by one), true (all: a longer latency tail) "
                    + "or false (none: 0.65 more records written per activity in a backfill)");
    public static final Setting ENGAGERS_SALT = new Setting("engagers.salt", null,
            "Secret salt of the hashes of engagers and event ids; keep it stable and private");
    public static final Setting MAX_FUTURE = new Setting("activity.max.future", "1h",
            "Activity stamped further in the future than this (vs the record timestamp) is refused");

    public static final Setting SEGMENTS_SEED = new Setting("segments.seed", "true",
            "Seed segment-definitions from segments.file when the topic is empty");
    public static final Setting SEGMENTS_FILE = new Setting("segments.file", "",
            "Segment definitions YAML to seed; empty for the built-in segments.yaml");
    public static final Setting SEGMENTS_REFRESH = new Setting("segments.refresh.interval", "1h",
            "Wall-clock time between passes that re-evaluate every customer as of stream time (decay, dormancy, rank drift)");
    public static final Setting SWEEP_BATCH = new Setting("segments.sweep.batch", "2000",
            "Customers re-evaluated per punctuation during a sweep (bounds the work of one call)");
    public static final Setting SWEEP_BUDGET = new Setting("segments.sweep.budget", "20ms",
            "Most time one sweep step may take per task (bounds how long a step holds up the task's records)");
    public static final Setting SWEEP_TICK = new Setting("segments.sweep.tick", "1s",
            "Wall-clock period of sweep steps and of the check for changed definitions");
    public static final Setting CUSTOMER_CACHE = new Setting("customers.cache.entries", "4096",
            "Customer states each task of the customer stage keeps decoded in the heap (most recently used; 0: none)");

    public static final Setting CONTACT_QUIET_HOURS = new Setting("contact.quiet.hours", "22:00-08:00",
            "Local hours no contact opportunity falls in (HH:00-HH:00, read in contact.time.zone), or none");
    public static final Setting CONTACT_ZONE = new Setting("contact.time.zone", "UTC",
            "Time zone of the quiet hours (an IANA name such as Europe/Paris, or UTC)");
    public static final Setting CONTACT_MIN_INTERVAL = new Setting("contact.min.interval", "1d",
            "Least time between two contact opportunities of one customer (off: no limit)");

    public static final Setting LIVE_COMMIT_INTERVAL = new Setting("commit.live.interval", "50ms",
            "Under exactly-once with a longer commit.interval.ms, most time from the end of one commit to the next while a "
                    + "stage processes live records (each stage's latency). off: commit.interval.ms only");
    public static final Setting LIVE_LAG = new Setting("commit.live.lag", "30s",
            "A record whose event time is within this of the wall clock is live (see commit.live.interval)");
    public static final Setting METRICS_FLUSH = new Setting("metrics.flush.interval", "5s",
            "How often (wall clock) anonymous counts are sent on, and changed hourly windows written to social-metrics");
    public static final Setting ROCKSDB_MEMORY = new Setting("rocksdb.memory", "128MB",
            "Off-heap memory of all RocksDB stores of this instance together (block cache and write buffers)");

    public static final Setting ROCKSDB_PURGE = new Setting("rocksdb.purge.interval", "1d",
            "Longest time a deleted record (revocation, erasure) stays in RocksDB's files before a compaction rewrites them");
    public static final Setting ERASURE_COMPACTION_LAG = new Setting("erasure.compaction.lag",
            Topics.MAX_COMPACTION_LAG.toDays() + "d", // the contract topics' own: one bound for every compacted log
            "Longest time an erased or revoked record stays in the log of a compacted topic (changelogs, outputs, "
                    + "inputs): max.compaction.lag.ms of the changelogs, and each task appends a marker to its compacted "
                    + "topics every quarter of it so that a quiet partition's segment rolls");

    public static final Setting HTTP_ENABLED = new Setting("http.enabled", "true", "Serve the HTTP query API");
    public static final Setting HTTP_HOST = new Setting("http.host", "0.0.0.0", "Address the HTTP API binds to");
    public static final Setting HTTP_PORT = new Setting("http.port", "8080", "Port of the HTTP API");
    public static final Setting HTTP_ADVERTISED = new Setting("http.advertised.host", "",
            "Host name other instances use to reach this one (application.server); default: this host's name");
    public static final Setting HTTP_TOKEN = new Setting("http.token", "",
            "Bearer token required for personal data in the API; empty: no token");

    /** Every socialcrm setting. */
    public static final List<Setting> ALL = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, APPLICATION_ID,
            TOPICS_PREFIX, TOPICS_CREATE, TOPICS_PARTITIONS, TOPICS_REPLICATION,
            INFLUENCE_HALFLIFE, MOMENTUM_HALFLIFE, WEIGHT_SHARES, WEIGHT_MENTIONS, WEIGHT_REPLIES, WEIGHT_LIKES,
            WEIGHT_ENGAGERS, WEIGHT_FOLLOWS, WEIGHT_FOLLOWERS, SKETCH_K, MIN_POPULATION,
            CONTEXT_HALFLIFE, CONTEXT_MAX, TAXONOMY_FILE, PLATFORMS, DEDUPE_WINDOW, CREDITS_BATCHED, ENGAGERS_SALT, MAX_FUTURE,
            SEGMENTS_SEED, SEGMENTS_FILE, SEGMENTS_REFRESH, SWEEP_BATCH, SWEEP_BUDGET, SWEEP_TICK, CUSTOMER_CACHE,
            CONTACT_QUIET_HOURS, CONTACT_ZONE, CONTACT_MIN_INTERVAL,
            LIVE_COMMIT_INTERVAL, LIVE_LAG, METRICS_FLUSH, ROCKSDB_MEMORY, ROCKSDB_PURGE, ERASURE_COMPACTION_LAG,
            HTTP_ENABLED, HTTP_HOST, HTTP_PORT, HTTP_ADVERTISED, HTTP_TOKEN);

    /** Production defaults of Kafka Streams that differ from Kafka's own; a user's value wins. */
    public static final Map<String, String> STREAMS_DEFAULTS = Map.of(
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
            StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true",
            StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(32L * 1024 * 1024),
            StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0",
            StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4",
            StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");

    /** Environment variables that start with SOCIALCRM_ but are not settings. */
    /** Variables of the launcher, the container entry point and the logs: not settings. */
    public static final Set<String> NOT_SETTINGS_ENV = Set.of("SOCIALCRM_LOG_LEVEL", "SOCIALCRM_APICURIO_HOME", "SOCIALCRM_JAVA_OPTS",
            "SOCIALCRM_JAR", "SOCIALCRM_CONFIG_FILE", "SOCIALCRM_STATE_DIR_PER_HOST");

    private static final Set<String> SECRET_WORDS = Set.of("password", "secret", "token", "salt", "user.info", "sasl.jaas");

    /** The defaults that have a value (settings without a default left out), in a map one may change. */
    public static Map<String, String> givenDefaults() {
        Map<String, String> given = new LinkedHashMap<>();
        defaults().forEach((k, v) -> {
            if (v != null) {
                given.put(k, v);
            }
        });
        return given;
    }

    /** The defaults of every socialcrm setting and of the Streams settings above. */
    public static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        ALL.forEach(s -> defaults.put(s.name(), s.defaultValue()));
        defaults.putAll(STREAMS_DEFAULTS);
        return defaults;
    }

    public static boolean isSecret(String key) {
        return SECRET_WORDS.stream().anyMatch(key::contains);
    }

    private static final Set<String> OWN = ALL.stream().map(Setting::name).collect(Collectors.toSet());
    private static final Set<String> KAFKA = kafkaNames();
    private static final List<String> KAFKA_PREFIXES = List.of(StreamsConfig.PRODUCER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX,
            StreamsConfig.ADMIN_CLIENT_PREFIX, StreamsConfig.TOPIC_PREFIX, "rocksdb.", "schema.registry.",
            "basic.auth.", "bearer.auth.", "auto.register.schemas", "use.latest.version");

    private static Set<String> kafkaNames() {
        Set<String> names = new TreeSet<>();
        names.addAll(StreamsConfig.configDef().names());
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return names;
    }

    public static boolean isOwn(String key) {
        return OWN.contains(key);
    }

    /** True for a key Kafka (Streams, clients) or the schema-registry client understands. */
    /**
     * Properties for a Kafka admin client (and the connection settings every client shares: security,
     * timeouts) from the settings; {@code bootstrap.servers} is required, {@code example} shows one.
     */
    public static Properties adminClient(Settings settings, String example) {
        Properties props = new Properties();
        settings.values().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                props.put(key, value.value());
            }
        });
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.require(BOOTSTRAP_SERVERS.name(),
                "the Kafka brokers, e.g. " + example));
        return props;
    }

    public static boolean isPassThrough(String key) {
        return KAFKA.contains(key) || KAFKA_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** Refuses keys that neither socialcrm nor Kafka knows (typos), suggesting the closest known name. */
    public static void rejectUnknown(Settings settings) {
        for (Map.Entry<String, Settings.Value> entry : settings.values().entrySet()) {
            String key = entry.getKey();
            if (isOwn(key) || isPassThrough(key) || entry.getValue().source().startsWith("environment")) {
                continue;
            }
            String hint = closest(key);
            throw new ConfigException("Unknown setting '" + key + "' (from " + entry.getValue().source() + ")"
                    + (hint == null ? "" : ": did you mean '" + hint + "'?")
                    + " See 'socialcrm run --help' and the README for the settings.");
        }
    }

    private static String closest(String key) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : OWN) {
            int d = distance.apply(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }
}
