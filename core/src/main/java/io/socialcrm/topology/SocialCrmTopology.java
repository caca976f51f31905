package io.socialcrm.topology;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.BatchedCredit;
import io.socialcrm.avro.internal.BatchedEvent;
import io.socialcrm.avro.internal.ContactPlan;
import io.socialcrm.avro.internal.Credit;
import io.socialcrm.avro.internal.CreditBatch;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.avro.internal.EventBatch;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.avro.internal.PendingErasure;
import io.socialcrm.common.BeforeCommit;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.common.TopologySettings.Batching;
import io.socialcrm.consent.AccountCommands;
import io.socialcrm.consent.ConsentGate;
import io.socialcrm.consent.ConsentRecorder;
import io.socialcrm.consent.ProfileGate;
import io.socialcrm.consent.SeenEvents;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.customers.CustomerProcessor;
import io.socialcrm.metrics.MetricsAggregator;
import io.socialcrm.metrics.MetricsBuffer;
import io.socialcrm.metrics.MetricsDeltasSerde;
import io.socialcrm.privacy.RequestIntake;
import io.socialcrm.segments.DefinitionValidator;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.time.EventTimeExtractor;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The socialcrm topology, built by one method from its settings.
 *
 * <pre>
 *  social-activity ─► consent-gate ──credits──► [account-commands] ─► account-commands ─┐
 *  consents ────────► consent-recorder ─┐            ▲ (by name, from the customer stage)   │
 *  social-profiles ─► profile-gate ─────┴────────────│───────────────► [customer-events] ◄──────┘
 *  segment-definitions ► definition-validator (broadcast to every partition) ─┐      ▲
 *  customer-(un)merges, erasure and access requests ► intake ─────────────────┴──────┘ (by name)
 *  consent-gate credits ──(target found in the account directory)──► [customer-events]
 *  consent-recorder, account-commands ─► account-directory (read back as a global table)
 *                                                                            │
 *                                        customer-processor ◄────────────────┘
 *                         ─► customer-profiles, segment-changes, segment-members,
 *                            erasure-receipts, influence-distribution (read back as a global table)
 *  consent-gate, consent-recorder, customer-processor (flush) ─► [metrics-deltas] ─► metrics-aggregator ─► social-metrics
 * </pre>
 *
 * The account-keyed stage and its repartition topics must have as many partitions as the
 * co-partitioned inputs ({@code settings.partitions()}): credits and commands must reach the task
 * that holds the account's consent.
 */
public final class SocialCrmTopology {
    private SocialCrmTopology() {
    }

    public static Topology build(TopologySettings settings, SchemaRegistryConfig registry, Properties streamsProps) {
        // the builder sees the same configuration the application runs with (a bare builder would
        // judge an empty one, e.g. warn that the global processing-exception handler is off)
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(streamsProps)));
        Topics topics = settings.topics();
        Serde<String> keys = Topics.keySerde();
        EventTimeExtractor eventTime = new EventTimeExtractor(settings.maxFuture());
        int partitions = settings.partitions();

        addStores(builder, settings);
        builder.globalTable(topics.influenceDistribution.name(),
                Consumed.with(keys, Serdes.ByteArray()).withName("influence-distribution-source"),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(Names.INFLUENCE_DISTRIBUTION)
                        .withKeySerde(keys).withValueSerde(Serdes.ByteArray()));
        builder.globalTable(topics.accountDirectory.name(),
                Consumed.with(keys, Serdes.String()).withName("account-directory-source"),
                // most credited accounts are not in it: a Bloom filter of its keys answers them without a RocksDB read.
                // No Kafka Streams cache: the stream threads read it, and a global store's cache is the global
                // thread's (only its own writes since its last flush), so each of their reads took a lock and
                // a sorted-map lookup for nothing (4 % of a stream thread in bench)
                Materialized.<String, String>as(KeyFilteredStore.timestamped(Names.ACCOUNT_DIRECTORY))
                        .withKeySerde(keys).withValueSerde(Serdes.String()).withCachingDisabled());

        // --- account-keyed stage --------------------------------------------------------------
        KStream<String, Routed> fromConsents = source(builder, topics.consents, registry, eventTime)
                .process(() -> new ConsentRecorder(settings), Named.as("consent-recorder"),
                        Names.ACCOUNT_CONSENTS, Names.CONSENT_METRICS_BUFFER, Names.CONSENT_METRICS_BUFFER_MARKS);
        KStream<String, Routed> fromActivity = source(builder, topics.socialActivity, registry, eventTime)
                .process(() -> new ConsentGate(settings), Named.as("consent-gate"),
                        Names.ACCOUNT_CONSENTS, Names.SEEN_BATCHES, Names.SEEN_BATCHES_MARKS, Names.SEEN_INDEX, Names.SEEN_EVENTS,
                        Names.METRICS_BUFFER, Names.METRICS_BUFFER_MARKS);
        KStream<String, Routed> fromProfiles = source(builder, topics.socialProfiles, registry, eventTime)
                .process(() -> new ProfileGate(settings), Named.as("profile-gate"), Names.ACCOUNT_CONSENTS);
        Map<String, KStream<String, Routed>> gate = fromActivity.split(Named.as("consent-gate-"))
                .branch((k, v) -> v instanceof Routed.ToAccounts, Branched.as("credits"))
                .branch((k, v) -> v instanceof Routed.ToMetrics, Branched.as("metrics"))
                .defaultBranch(Branched.as("customers"));

        // a task's credits for one partition within one commit travel as one record (PartitionBatches), by default those of
        // records older than commit.live.lag (credits.batched)
        KStream<String, Routed> fromCommands = gate.get("consent-gate-credits")
                .mapValues(v -> ((Routed.ToAccounts) v).command(), Named.as("credits-unwrap"))
                .process(() -> new PartitionBatches<AccountCommand>(settings.batchCredits(), settings.liveLag().toMillis(), Names.CREDIT_BATCHES,
                        partitions, keys.serializer(),
                        credits -> new AccountCommand(new CreditBatch(credits.stream()
                                .map(c -> new BatchedCredit(c.key(), c.timestamp(), (Credit) c.value().getCommand())).toList()))),
                        Named.as("credits-batch"), Names.CREDIT_BATCHES)
                .repartition(Repartitioned.<String, AccountCommand>as(Names.ACCOUNT_COMMANDS)
                        .withKeySerde(keys).withValueSerde(InternalSerde.of(AccountCommand.class))
                        .withNumberOfPartitions(partitions))
                .process(() -> new AccountCommands(settings), Named.as("account-commands"), Names.ACCOUNT_CONSENTS);
        Map<String, KStream<String, Routed>> commands = fromCommands.split(Named.as("account-commands-"))
                .branch((k, v) -> v instanceof Routed.ToInputTombstone, Branched.as("tombstones"))
                .branch((k, v) -> v instanceof Routed.ToCompactionMarker, Branched.as("compaction-markers"))
                .defaultBranch(Branched.as("customers"));
        commands.get("account-commands-tombstones").to(new TombstoneTopic(),
                Produced.with(keys, Serdes.serdeFrom(SocialCrmTopology.<Routed>nullValues(), (topic, bytes) -> null)).withName("input-tombstones-sink"));
        markers(commands.get("account-commands-compaction-markers"), "account-compaction-markers-sink");

        Map<String, KStream<String, Routed>> accountStage = gate.get("consent-gate-customers")
                .merge(fromConsents, Named.as("merge-consents"))
                .merge(fromProfiles, Named.as("merge-profiles"))
                .merge(commands.get("account-commands-customers"), Named.as("merge-commands"))
                .split(Named.as("account-stage-"))
                .branch((k, v) -> v instanceof Routed.ToDirectory, Branched.as("directory"))
                .branch((k, v) -> v instanceof Routed.ToMetrics, Branched.as("metrics"))
                .defaultBranch(Branched.as("customers"));
        accountStage.get("account-stage-directory")
                .mapValues(v -> ((Routed.ToDirectory) v).customerId(), Named.as("account-directory-unwrap"))
                .to(topics.accountDirectory.name(), Produced.with(keys, Serdes.String()).withName("account-directory-sink"));
        // by key: definitions, the only events sent to every partition, come from the requests' sub-topology
        KStream<String, CustomerEvent> customerEvents = accountStage.get("account-stage-customers")
                .mapValues(v -> ((Routed.ToCustomers) v).event(), Named.as("customer-events-unwrap"))
                .process(() -> new PartitionBatches<CustomerEvent>(Batching.ALWAYS, 0, Names.EVENT_BATCHES, partitions, keys.serializer(),
                        events -> new CustomerEvent(new EventBatch(events.stream()
                                .map(e -> new BatchedEvent(e.key(), e.timestamp(), e.value())).toList()))),
                        Named.as("customer-events-batch"), Names.EVENT_BATCHES)
                .repartition(Repartitioned.<String, CustomerEvent>as(Names.CUSTOMER_EVENTS)
                        .withKeySerde(keys).withValueSerde(InternalSerde.of(CustomerEvent.class))
                        .withNumberOfPartitions(partitions));

        // --- metrics --------------------------------------------------------------------------
        // the consent recorder's take-up counts, by name like the customer stage's (keyed by platform)
        accountStage.get("account-stage-metrics")
                .mapValues(v -> ((Routed.ToMetrics) v).deltas(), Named.as("consent-metrics-unwrap"))
                .to(Names.repartitionTopic(settings.applicationId(), Names.METRICS_DELTAS),
                        Produced.with(keys, MetricsDeltasSerde.INSTANCE).withName("consent-metrics-sink"));
        gate.get("consent-gate-metrics")
                .mapValues(v -> ((Routed.ToMetrics) v).deltas(), Named.as("metrics-unwrap"))
                .repartition(Repartitioned.<String, MetricsDeltas>as(Names.METRICS_DELTAS)
                        .withKeySerde(keys).withValueSerde(MetricsDeltasSerde.INSTANCE)
                        .withNumberOfPartitions(partitions))
                .process(() -> new MetricsAggregator(settings.metricsFlush()), Named.as("metrics-aggregator"), Names.METRICS_TOTALS)
                .mapValues(v -> ((Routed.ToMetricsOutput) v).metrics(), Named.as("metrics-output-unwrap"))
                .to(topics.socialMetrics.name(), produced(topics.socialMetrics, registry, "social-metrics-sink"));

        // --- requests ---------------------------------------------------------------------
        // The requests (definitions, merges, unmerges, erasures, access requests) need no account
        // state: they go to the customer stage by name, from a sub-topology of their own. In the
        // account stage's tasks they would be five more, nearly always empty, input partitions, and
        // Kafka Streams 4.3 and 4.4 format a log line (String.format) for every empty input
        // partition of a task before every record it processes (PartitionGroup.readyToProcess):
        // 9 % of the stream thread's time in `bench` with nine inputs. Their sources are added after the
        // customer-events and metrics-deltas repartitions: Kafka Streams numbers sub-topologies in the
        // order their sources were added, so the customer and metrics stages keep their numbers (task
        // ids, state directories) from before the requests left the account stage.
        KStream<String, Routed> fromDefinitions = source(builder, topics.segmentDefinitions, registry, eventTime)
                .process(DefinitionValidator::new, Named.as("definition-validator"), Names.ACCEPTED_DEFINITIONS);
        KStream<String, Routed> fromMerges = source(builder, topics.customerMerges, registry, eventTime)
                .process(RequestIntake.Merges::new, Named.as("merge-intake"));
        KStream<String, Routed> fromUnmerges = source(builder, topics.customerUnmerges, registry, eventTime)
                .process(RequestIntake.Unmerges::new, Named.as("unmerge-intake"));
        KStream<String, Routed> fromErasures = source(builder, topics.erasureRequests, registry, eventTime)
                .process(RequestIntake.Erasures::new, Named.as("erasure-intake"));
        KStream<String, Routed> fromAccesses = source(builder, topics.accessRequests, registry, eventTime)
                .process(RequestIntake.Accesses::new, Named.as("access-intake"));
        fromDefinitions
                .merge(fromMerges, Named.as("requests-merges"))
                .merge(fromUnmerges, Named.as("requests-unmerges"))
                .merge(fromErasures, Named.as("requests-erasures"))
                .merge(fromAccesses, Named.as("requests-accesses"))
                .mapValues(v -> ((Routed.ToCustomers) v).event(), Named.as("requests-unwrap"))
                .to(Names.repartitionTopic(settings.applicationId(), Names.CUSTOMER_EVENTS),
                        Produced.with(keys, InternalSerde.of(CustomerEvent.class))
                                .withStreamPartitioner(new DefinitionsToEveryPartition()).withName("requests-sink"));

        // --- customer-keyed stage -------------------------------------------------------------
        Map<String, KStream<String, Routed>> out = customerEvents
                .process(() -> new CustomerProcessor(settings, System::nanoTime), Named.as("customer-processor"),
                        Names.CUSTOMER_STATE, Names.SEGMENT_INDEX, Names.INFLUENCE_INDEX, Names.CUSTOMER_STAGE_DEFINITIONS, Names.SEGMENT_VERSIONS,
                        Names.PENDING_ERASURES, Names.CUSTOMER_METRICS_BUFFER, Names.CUSTOMER_METRICS_BUFFER_MARKS, Names.CONTACT_PLANS,
                        Names.PROFILE_OUTBOX, Names.CUSTOMER_STATE_MARKS)
                .split(Named.as("customer-out-"))
                .branch((k, v) -> v instanceof Routed.ToProfiles, Branched.as("profiles"))
                .branch((k, v) -> v instanceof Routed.ToSegmentChanges, Branched.as("changes"))
                .branch((k, v) -> v instanceof Routed.ToShadowChanges, Branched.as("shadow-changes"))
                .branch((k, v) -> v instanceof Routed.ToSegmentMembers, Branched.as("members"))
                .branch((k, v) -> v instanceof Routed.ToContactOpportunities, Branched.as("contacts"))
                .branch((k, v) -> v instanceof Routed.ToReceipts, Branched.as("receipts"))
                .branch((k, v) -> v instanceof Routed.ToDistribution, Branched.as("distribution"))
                .branch((k, v) -> v instanceof Routed.ToTakeUp, Branched.as("take-up"))
                .branch((k, v) -> v instanceof Routed.ToAccessReports, Branched.as("access-reports"))
                .branch((k, v) -> v instanceof Routed.ToMetrics, Branched.as("metrics"))
                .branch((k, v) -> v instanceof Routed.ToCompactionMarker, Branched.as("compaction-markers"))
                .defaultBranch(Branched.as("accounts"));
        sink(out.get("customer-out-profiles"), v -> ((Routed.ToProfiles) v).profile(), topics.customerProfiles, registry);
        sink(out.get("customer-out-changes"), v -> ((Routed.ToSegmentChanges) v).change(), topics.segmentChanges, registry);
        sink(out.get("customer-out-shadow-changes"), v -> ((Routed.ToShadowChanges) v).change(), topics.segmentShadowChanges, registry);
        sink(out.get("customer-out-members"), v -> ((Routed.ToSegmentMembers) v).membership(), topics.segmentMembers, registry);
        sink(out.get("customer-out-contacts"), v -> ((Routed.ToContactOpportunities) v).opportunity(), topics.contactOpportunities, registry);
        sink(out.get("customer-out-receipts"), v -> ((Routed.ToReceipts) v).receipt(), topics.erasureReceipts, registry);
        sink(out.get("customer-out-take-up"), v -> ((Routed.ToTakeUp) v).takeUp(), topics.consentTakeUp, registry);
        sink(out.get("customer-out-access-reports"), v -> ((Routed.ToAccessReports) v).report(), topics.accessReports, registry);
        markers(out.get("customer-out-compaction-markers"), "customer-compaction-markers-sink");
        out.get("customer-out-distribution")
                .mapValues(v -> ((Routed.ToDistribution) v).sketch(), Named.as("distribution-unwrap"))
                .to(topics.influenceDistribution.name(), Produced.with(keys, Serdes.ByteArray()).withName("influence-distribution-sink"));
        // the customer stage counts active accounts (it holds each account's last activity anyway) and
        // hands its counts to the metrics stage by name, like the gate's (keyed by platform)
        out.get("customer-out-metrics")
                .mapValues(v -> ((Routed.ToMetrics) v).deltas(), Named.as("customer-metrics-unwrap"))
                .to(Names.repartitionTopic(settings.applicationId(), Names.METRICS_DELTAS),
                        Produced.with(keys, MetricsDeltasSerde.INSTANCE).withName("customer-metrics-sink"));
        // Customer-to-account messages close a cycle the DSL cannot express: they are written by name
        // to the account-commands repartition topic (the stable name Repartitioned.as gives it).
        out.get("customer-out-accounts")
                .mapValues(v -> ((Routed.ToAccounts) v).command(), Named.as("customer-commands-unwrap"))
                .to(Names.repartitionTopic(settings.applicationId(), Names.ACCOUNT_COMMANDS),
                        Produced.with(keys, InternalSerde.of(AccountCommand.class)).withName("customer-commands-sink"));

        return builder.build(streamsProps);
    }

    private static void addStores(StreamsBuilder builder, TopologySettings settings) {
        Serde<String> keys = Serdes.String();
        // read for every activity's actor, most of whom never consented: a Bloom filter of its keys answers them without a RocksDB read
        builder.addStateStore(cached(Stores.keyValueStoreBuilder(KeyFilteredStore.persistent(Names.ACCOUNT_CONSENTS),
                keys, InternalSerde.of(AccountConsent.class))));
        // de-duplication (consent/SeenEvents): batches of hashes, written and changelogged once a commit (no cache in
        // front: the write comes from a commit's cache flush); an index rebuilt from them
        builder.addStateStore(PartitionBatches.marksStore(Names.CREDIT_BATCHES));
        builder.addStateStore(PartitionBatches.marksStore(Names.EVENT_BATCHES));
        builder.addStateStore(SeenEvents.batchesStore());
        builder.addStateStore(BeforeCommit.store(Names.SEEN_BATCHES_MARKS));
        builder.addStateStore(SeenEvents.indexStore());
        builder.addStateStore(SeenEvents.earlierStore(settings.dedupeWindow()));
        // the metrics buffers are written once before each commit (metrics/MetricsBuffer): no cache in front
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.METRICS_BUFFER),
                keys, MetricsDeltasSerde.INSTANCE));
        builder.addStateStore(MetricsBuffer.marksStore(Names.METRICS_BUFFER_MARKS));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.CONSENT_METRICS_BUFFER),
                keys, MetricsDeltasSerde.INSTANCE));
        builder.addStateStore(MetricsBuffer.marksStore(Names.CONSENT_METRICS_BUFFER_MARKS));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.ACCEPTED_DEFINITIONS),
                keys, InternalSerde.of(SegmentDefinition.class)));
        // customer states are buffered as objects and written once before each commit (customers/CustomerStates): no cache
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.CUSTOMER_STATE),
                keys, InternalSerde.of(CustomerState.class)));
        builder.addStateStore(BeforeCommit.store(Names.CUSTOMER_STATE_MARKS));
        builder.addStateStore(cached(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SEGMENT_INDEX),
                keys, InternalSerde.of(SegmentMembership.class))));
        // the top of each task's ranking, rebuilt by sweeps: memory only, no changelog (TopInfluencers)
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.INFLUENCE_INDEX), keys, keys)
                .withLoggingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.CUSTOMER_STAGE_DEFINITIONS),
                keys, InternalSerde.of(SegmentDefinition.class)));
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.SEGMENT_VERSIONS),
                keys, InternalSerde.of(SegmentDefinition.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.PENDING_ERASURES),
                keys, InternalSerde.of(PendingErasure.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.CONTACT_PLANS),
                keys, InternalSerde.of(ContactPlan.class)));
        // profiles wait for the commit, one per customer (customers/ProfileOutbox): memory only, no changelog
        builder.addStateStore(BeforeCommit.store(Names.PROFILE_OUTBOX));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.CUSTOMER_METRICS_BUFFER),
                keys, MetricsDeltasSerde.INSTANCE));
        builder.addStateStore(MetricsBuffer.marksStore(Names.CUSTOMER_METRICS_BUFFER_MARKS));
        builder.addStateStore(cached(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.METRICS_TOTALS),
                keys, InternalSerde.of(io.socialcrm.avro.ActivityMetrics.class))));
    }

    private static <S extends org.apache.kafka.streams.processor.StateStore> StoreBuilder<S> cached(
            StoreBuilder<S> store) {
        return store.withCachingEnabled();
    }

    private static <V extends SpecificRecord> KStream<String, V> source(StreamsBuilder builder, Topic<V> topic,
                                                                        SchemaRegistryConfig registry,
                                                                        EventTimeExtractor eventTime) {
        return builder.stream(topic.name(), Consumed.with(Topics.keySerde(), Topics.valueSerde(topic, registry))
                .withTimestampExtractor(eventTime).withName(topic.baseName() + "-source"));
    }

    private static <V extends SpecificRecord> Produced<String, V> produced(Topic<V> topic, SchemaRegistryConfig registry,
                                                                           String name) {
        return Produced.with(Topics.keySerde(), Topics.valueSerde(topic, registry)).withName(name);
    }

    private static <V extends SpecificRecord> void sink(KStream<String, Routed> stream, Function<Routed, V> unwrap,
                                                        Topic<V> topic, SchemaRegistryConfig registry) {
        stream.mapValues(unwrap::apply, Named.as(topic.baseName() + "-unwrap"))
                .to(topic.name(), produced(topic, registry, topic.baseName() + "-sink"));
    }

    /** The compaction markers of a stage: tombstones of the marker key, to every partition of the topic each names. */
    private static void markers(KStream<String, Routed> markers, String name) {
        markers.to(new TombstoneTopic(),
                Produced.with(Topics.keySerde(), Serdes.serdeFrom(SocialCrmTopology.<Routed>nullValues(), (topic, bytes) -> null))
                        .withStreamPartitioner(new EveryPartition()).withName(name));
    }

    /** Writes every value as null: the tombstones an erasure leaves on compacted inputs. */
    private static <T> Serializer<T> nullValues() {
        return (topic, value) -> null;
    }

    /** The topic an erasure's tombstone on an input, or a compaction marker, is meant for. */
    static final class TombstoneTopic implements TopicNameExtractor<String, Routed> {
        @Override
        public String extract(String key, Routed value, RecordContext context) {
            return value instanceof Routed.ToCompactionMarker marker ? marker.topic() : ((Routed.ToInputTombstone) value).topic();
        }

        @Override
        public String toString() {
            return "TombstoneTopic";
        }
    }

    private static Optional<Set<Integer>> everyPartition(int numPartitions) {
        return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
    }

    /** Every partition of the topic: where a compaction marker goes. */
    static final class EveryPartition implements StreamPartitioner<String, Routed> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, Routed value, int numPartitions) {
            return everyPartition(numPartitions);
        }
    }

    /** Segment definitions go to every partition of the customer stage; everything else by key. */
    static final class DefinitionsToEveryPartition implements StreamPartitioner<String, CustomerEvent> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, CustomerEvent value, int numPartitions) {
            if (value != null && value.getEvent() instanceof DefinitionChanged) {
                return everyPartition(numPartitions);
            }
            return Optional.empty();
        }
    }
}
