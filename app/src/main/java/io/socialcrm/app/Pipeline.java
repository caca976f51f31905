package io.socialcrm.app;

import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.topology.SocialCrmTopology;
import io.socialcrm.topology.StreamsProperties;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running socialcrm instance: checks the cluster (topics, co-partitioning), builds the topology
 * for it and runs it. Used by {@code run}, {@code demo} and {@code replay}.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private final Settings settings;
    private final TopologySettings topology;
    private final SchemaRegistryConfig registry;
    private final Properties props;
    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Pipeline(Settings settings, TopologySettings topology, SchemaRegistryConfig registry, Properties props,
                     KafkaStreams streams) {
        this.settings = settings;
        this.topology = topology;
        this.registry = registry;
        this.props = props;
        this.streams = streams;
        // set before start (Kafka Streams refuses later): logs transitions, notices a stop
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
    }

    /** Checks the settings and the cluster and builds the instance; it starts with {@link #start()}. */
    public static Pipeline create(Settings settings) {
        // every setting is checked before the cluster is contacted: a bad one fails fast, named
        TopologySettings.from(settings, 1);
        StreamsProperties.of(settings, TopologySettings.from(settings, 1));
        Topics topics = Topics.withPrefix(settings.string(AppConfig.TOPICS_PREFIX.name()));
        int partitions;
        try (Admin admin = admin(settings)) {
            TopicAdmin topicAdmin = new TopicAdmin(admin, topics);
            if (settings.bool(AppConfig.TOPICS_CREATE.name())) {
                List<String> created = topicAdmin.createMissing(settings.intValue(AppConfig.TOPICS_PARTITIONS.name(), 1, 10_000),
                        (short) settings.intValue(AppConfig.TOPICS_REPLICATION.name(), 1, 32));
                if (!created.isEmpty()) {
                    LOG.info("Created topics {}", created);
                }
            }
            String problem = topicAdmin.coPartitioningProblem();
            if (problem != null) {
                throw new ConfigException(problem);
            }
            boundCompaction(topicAdmin, TopologySettings.from(settings, 1), settings.bool(AppConfig.TOPICS_CREATE.name()));
            TopicDescription activity = admin.describeTopics(List.of(topics.socialActivity.name())).allTopicNames()
                    .get(60, TimeUnit.SECONDS).get(topics.socialActivity.name());
            partitions = activity.partitions().size();
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot inspect the topics on " + settings.string(AppConfig.BOOTSTRAP_SERVERS.name())
                    + ": " + e.getMessage(), e);
        }
        TopologySettings topology = TopologySettings.from(settings, partitions);
        SchemaRegistryConfig registry = StreamsProperties.registry(settings);
        Properties props = StreamsProperties.of(settings, topology);
        Topology built = SocialCrmTopology.build(topology, registry, props);
        KafkaStreams streams = new KafkaStreams(built, props);
        streams.setUncaughtExceptionHandler(new UncaughtPolicy(5, Duration.ofMinutes(10)));
        streams.setGlobalStateRestoreListener(new RestoreLog());
        return new Pipeline(settings, topology, registry, props, streams);
    }

    /**
     * Makes erasure reach the compacted topics and changelogs an earlier version created without
     * {@code max.compaction.lag.ms} (or with a longer one): with {@code topics.create} it sets it (the
     * contract's topics: {@link Topics#MAX_COMPACTION_LAG}, as they are created; the changelogs:
     * {@code erasure.compaction.lag}); without, or when the cluster refuses, it says what to set.
     */
    private static void boundCompaction(TopicAdmin admin, TopologySettings topology, boolean alter) {
        List<TopicAdmin.UnboundedCompaction> unbounded = admin.unboundedCompaction(topology.applicationId(), topology.compactionLag().toMillis());
        if (unbounded.isEmpty()) {
            return;
        }
        if (alter) {
            try {
                admin.boundCompaction(unbounded);
                LOG.info("Set max.compaction.lag.ms on the compacted topics an earlier version created without it, so that erasures "
                        + "reach them: {}", unbounded);
                return;
            } catch (IllegalStateException e) {
                LOG.warn("Could not set max.compaction.lag.ms ({})", e.getMessage());
            }
        }
        LOG.warn("Compacted topics keep erased records for as long as their partitions stay quiet until max.compaction.lag.ms "
                + "is set on them (with topics.create=true the application sets it): {}", unbounded);
    }

    static Admin admin(Settings settings) {
        return Admin.create(AppConfig.adminClient(settings, "broker:9092"));
    }

    public Pipeline start() {
        streams.start();
        return this;
    }

    /** Waits until the instance is RUNNING; fails if it stops or errors first. */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return;
            }
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                    || state == KafkaStreams.State.PENDING_ERROR) {
                throw new IllegalStateException("The application stopped while starting (state " + state + ")");
            }
            sleep(50);
        }
        throw new IllegalStateException("The application was not RUNNING within " + timeout.toSeconds() + " s (state "
                + streams.state() + ")");
    }

    /** A latch released when Kafka Streams reaches ERROR or NOT_RUNNING. */
    public CountDownLatch stoppedLatch() {
        return stopped;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public TopologySettings topology() {
        return topology;
    }

    public Settings settings() {
        return settings;
    }

    public SchemaRegistryConfig registry() {
        return registry;
    }

    public Properties properties() {
        return props;
    }

    /**
     * Stops processing and leaves the consumer group, so that the other instances take over this
     * one's partitions at once instead of after the session timeout (45 s by default): Kafka
     * Streams alone would stay a member until then, as for a quick restart in place.
     */
    @Override
    public void close() {
        boolean closed = streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
        // Logged here rather than relying on the state listener: Kafka Streams calls the listener
        // after it has woken close() up, so a JVM that exits right after close() may never print it.
        if (closed) {
            LOG.info("Kafka Streams closed: left the consumer group, state {}", streams.state());
        } else {
            LOG.warn("Kafka Streams did not close within 30 s (state {}); the group drops this member after its session timeout",
                    streams.state());
        }
    }

    /**
     * Logs how much state was restored from the changelogs and how long it took, once each wave of
     * restorations (a start, a rebalance) has ended: how long a restart or a fail-over costs.
     */
    static final class RestoreLog implements org.apache.kafka.streams.processor.StateRestoreListener {
        private int active;
        private long records;
        private int partitions;
        private long started;

        @Override
        public synchronized void onRestoreStart(org.apache.kafka.common.TopicPartition partition, String store, long start, long end) {
            if (active++ == 0) {
                started = System.nanoTime();
                records = 0;
                partitions = 0;
            }
        }

        @Override
        public void onBatchRestored(org.apache.kafka.common.TopicPartition partition, String store, long batchEnd, long restored) {
            // counted at the end of each partition
        }

        @Override
        public synchronized void onRestoreEnd(org.apache.kafka.common.TopicPartition partition, String store, long restored) {
            records += restored;
            partitions++;
            if (--active == 0) {
                LOG.info("Restored {} records of {} changelog partitions in {} ms", records, partitions,
                        (System.nanoTime() - started) / 1_000_000);
            }
        }

        @Override
        public synchronized void onRestoreSuspended(org.apache.kafka.common.TopicPartition partition, String store, long restored) {
            records += restored;
            active = Math.max(0, active - 1);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
