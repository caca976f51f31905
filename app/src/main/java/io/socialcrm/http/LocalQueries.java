package io.socialcrm.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.ContactPlan;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.common.AppCounters;
import io.socialcrm.common.Names;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.contract.MemberKey;
import io.socialcrm.customers.AccessReports;
import io.socialcrm.customers.InfluenceIndex;
import io.socialcrm.customers.ProfileBuilder;
import io.socialcrm.customers.TopInfluencers;
import io.socialcrm.influence.InfluenceDistribution;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.influence.PublishedSketches;
import io.socialcrm.segments.ProfileView;
import io.socialcrm.segments.Segment;
import io.socialcrm.segments.SegmentEvaluator;
import io.socialcrm.serde.PlainJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.query.TimestampedRangeQuery;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Interactive queries (IQv2) against the stores of this instance: one customer's profile, the
 * first entries of the top-influencers index, a segment's members, the segment definitions. Each
 * answers for the partitions this instance holds active; routing to other instances is the HTTP
 * layer's work. A store that is migrating or restoring raises {@link NotAvailableException}.
 */
public final class LocalQueries implements InstanceQueries {
    /** The most customers {@link #top} can return: what each task keeps ranked. */
    public static final int TOP_MAX = TopInfluencers.CAPACITY;

    private static final Duration METRICS_REFRESH = Duration.ofSeconds(5);

    private final KafkaStreams streams;
    private final ProfileBuilder builder;
    private final InfluenceModel model;
    /** Evaluates previews: its failure counts are the preview's own, not the application's. */
    private final SegmentEvaluator evaluator = new SegmentEvaluator(new AppCounters());
    private final PublishedSketches published;
    private volatile long distributionCheckedAt;

    public LocalQueries(KafkaStreams streams, TopologySettings settings) {
        this.streams = streams;
        this.builder = new ProfileBuilder(settings.influence(), settings.contextDecay());
        this.model = settings.influence();
        this.published = new PublishedSketches(settings.applicationId(), settings.sketchK(), settings.minPopulation());
    }

    @Override
    public String state() {
        return streams.state().name();
    }

    @Override
    public List<ThreadState> threads() {
        return streams.metadataForLocalThreads().stream().map(t -> new ThreadState(t.threadName(), t.threadState(),
                t.activeTasks().size(), t.standbyTasks().size())).toList();
    }

    @Override
    public Owner owner(String customerId) {
        requireRunning();
        KeyQueryMetadata metadata = streams.queryMetadataForKey(Names.CUSTOMER_STATE, customerId, Serdes.String().serializer());
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE) || metadata.activeHost().port() < 0) {
            throw new NotAvailableException("the owner of this customer is not known yet (rebalancing)");
        }
        return new Owner(metadata.activeHost(), metadata.partition());
    }

    @Override
    public List<HostInfo> instances() {
        return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo).toList();
    }

    /**
     * Binds Kafka Streams' metrics, looking for new ones every 5 seconds: the task-level ones (records
     * produced per topic, say) appear only once the tasks exist, after the API has started and after
     * every rebalance, and Micrometer's default look every 60 seconds left them out of {@code /metrics}
     * (and out of {@code bench}'s count of records written to the repartition topics) for that long.
     */
    @Override
    public AutoCloseable bindMetrics(MeterRegistry registry) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "socialcrm-streams-metrics");
            t.setDaemon(true);
            return t;
        });
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams, List.of(), scheduler, METRICS_REFRESH);
        metrics.bindTo(registry);
        return () -> {
            metrics.close();
            scheduler.shutdownNow();
        };
    }

    /** The profile of a customer held by this instance, as of its last update; empty if unknown. */
    @Override
    public Optional<CustomerProfile> profile(String customerId, int partition) {
        return held(customerId, state(customerId, partition)).map(h -> h.built().profile());
    }

    @Override
    public Optional<ObjectNode> explain(String customerId, int partition) {
        return held(customerId, state(customerId, partition)).map(h -> {
            ObjectNode body = PlainJson.MAPPER.createObjectNode();
            body.set("profile", PlainJson.write(h.built().profile()));
            ArrayNode memberships = body.putArray("memberships");
            for (Membership m : h.state().getMemberships()) {
                if (!Segment.isShadowKey(m.getSegmentId())) {
                    AccessReports.addMembership(memberships, m, indexed(customerId, m.getSegmentId(), partition));
                }
            }
            ContactPlan plan = contactPlan(customerId, partition);
            ContactOpportunity opportunity = plan == null ? null : plan.getOpportunity();
            body.set("contactOpportunity", opportunity == null ? null : PlainJson.write(opportunity));
            ObjectNode influence = body.putObject("influence");
            influence.put("raw", h.built().profile().getInfluence().getRaw());
            ObjectNode parts = influence.putObject("contributions");
            model.contributions(h.built().totals()).forEach((name, value) -> parts.put(name, Math.round(value * 10_000) / 10_000.0));
            AccessReports.addHours(body.putArray("hours"), builder.hoursOfWeek(h.state(), h.asOf()));
            return body;
        });
    }

    @Override
    public ObjectNode export(String customerId, int partition) {
        CustomerState state = state(customerId, partition);
        return held(customerId, state).map(h -> AccessReports.held(customerId, state, h.built(), builder.hoursOfWeek(state, h.asOf()),
                        segment -> indexed(customerId, segment, partition), contactPlan(customerId, partition), h.asOf()))
                .orElseGet(() -> AccessReports.nothingHeld(customerId, state == null ? null : state.getRedirectTo(), System.currentTimeMillis()));
    }

    /** A customer's state as held here, and the profile built from it as of its last update. */
    private record Held(CustomerState state, long asOf, ProfileBuilder.Built built) {
    }

    /** The customer's state and profile, or empty if nothing is held of them here (unknown, a merge redirect, no account). */
    private Optional<Held> held(String customerId, CustomerState state) {
        if (state == null || state.getRedirectTo() != null || state.getAccounts().isEmpty()) {
            return Optional.empty();
        }
        long asOf = ProfileBuilder.asOf(state, state.getRefreshedAt());
        return Optional.of(new Held(state, asOf, builder.build(customerId, state, asOf, distribution())));
    }

    private SegmentMembership indexed(String customerId, String segmentId, int partition) {
        return lookUp(Names.SEGMENT_INDEX, MemberKey.of(segmentId, customerId), partition);
    }

    private ContactPlan contactPlan(String customerId, int partition) {
        return lookUp(Names.CONTACT_PLANS, customerId, partition);
    }

    /** One key of a store's partition held here, or null (absent, or the partition not answering). */
    private <V> V lookUp(String store, String key, int partition) {
        StateQueryResult<V> result = streams.query(StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<String, V>withKey(key)).withPartitions(Set.of(partition)));
        QueryResult<V> answer = result.getPartitionResults().get(partition);
        return answer == null || answer.isFailure() ? null : answer.getResult();
    }

    /**
     * A draft definition over the customers held here as they stand: a member of the live segment of
     * the same id stays unless the draft's exit rule says otherwise (its hysteresis), anyone else is
     * a member if the draft's enter rule holds. Nothing is written.
     */
    @Override
    public Preview preview(SegmentDefinition draft, int sample) {
        Segment segment = Segment.compile(draft);
        InfluenceDistribution dist = distribution();
        long members = 0;
        long customers = 0;
        List<ShadowSample> samples = new ArrayList<>();
        for (QueryResult<KeyValueIterator<String, CustomerState>> partition : allStates().getPartitionResults().values()) {
            if (partition.isFailure()) {
                throw failure(partition);
            }
            try (KeyValueIterator<String, CustomerState> it = partition.getResult()) {
                while (it.hasNext()) {
                    KeyValue<String, CustomerState> entry = it.next();
                    CustomerState state = entry.value;
                    if (state.getRedirectTo() != null || state.getAccounts().isEmpty()) {
                        continue;
                    }
                    customers++;
                    boolean member = state.getMemberships().stream().anyMatch(m -> m.getSegmentId().equals(draft.getId()));
                    ProfileBuilder.Built built = builder.build(entry.key, state, ProfileBuilder.asOf(state, state.getRefreshedAt()), dist);
                    ProfileView view = new ProfileView(built.profile(), built.daysSinceActivity());
                    SegmentEvaluator.Transition t = evaluator.evaluate(segment, view, member);
                    boolean after = member ? t == null : t != null && t.change() == MembershipChange.ENTERED;
                    if (after) {
                        members++;
                        samples.add(new ShadowSample(entry.key, t != null ? t.reason()
                                : "a member now, and the draft does not make it leave: " + segment.enter().values(view)));
                    }
                }
            }
        }
        return new Preview(members, customers, firstById(samples, sample));
    }

    private StateQueryResult<KeyValueIterator<String, CustomerState>> allStates() {
        return streams.query(StateQueryRequest.inStore(Names.CUSTOMER_STATE).withQuery(RangeQuery.<String, CustomerState>withNoBounds()));
    }

    private CustomerState state(String customerId, int partition) {
        StateQueryResult<CustomerState> result = streams.query(StateQueryRequest.inStore(Names.CUSTOMER_STATE)
                .withQuery(KeyQuery.<String, CustomerState>withKey(customerId)).withPartitions(Set.of(partition)));
        QueryResult<CustomerState> answer = result.getPartitionResults().get(partition);
        if (answer == null || answer.isFailure()) {
            throw failure(answer);
        }
        return answer.getResult();
    }

    /** The first {@code limit} influencers of every partition this instance holds, by raw influence. */
    @Override
    public List<Influencer> top(int limit) {
        requireRunning();
        StateQueryResult<KeyValueIterator<String, String>> result = streams.query(
                StateQueryRequest.inStore(Names.INFLUENCE_INDEX).withQuery(RangeQuery.<String, String>withNoBounds()));
        InfluenceDistribution dist = distribution();
        List<Influencer> all = new ArrayList<>();
        for (QueryResult<KeyValueIterator<String, String>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                throw failure(partition);
            }
            // a task's top customers (at most TopInfluencers.CAPACITY), by id: ordered below
            try (KeyValueIterator<String, String> it = partition.getResult()) {
                while (it.hasNext()) {
                    KeyValue<String, String> entry = it.next();
                    double raw = InfluenceIndex.raw(entry.value);
                    double percentile = dist.percentile(raw);
                    all.add(new Influencer(entry.key, raw, InfluenceDistribution.score(percentile), percentile));
                }
            }
        }
        return sortAndLimit(all, limit);
    }

    static List<Influencer> sortAndLimit(List<Influencer> influencers, int limit) {
        return influencers.stream()
                .sorted(Comparator.comparingDouble(Influencer::raw).reversed().thenComparing(Influencer::customerId))
                .limit(limit).toList();
    }

    /** Members of a segment held by this instance, by customer id, after {@code after} (exclusive). */
    @Override
    public List<SegmentMembership> members(String segmentId, String after, int limit) {
        requireRunning();
        String from = MemberKey.rangeFrom(segmentId, after);
        String to = MemberKey.rangeTo(segmentId);
        StateQueryResult<KeyValueIterator<String, SegmentMembership>> result = streams.query(
                StateQueryRequest.inStore(Names.SEGMENT_INDEX).withQuery(RangeQuery.<String, SegmentMembership>withRange(from, to)));
        List<SegmentMembership> members = new ArrayList<>();
        for (QueryResult<KeyValueIterator<String, SegmentMembership>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                throw failure(partition);
            }
            try (KeyValueIterator<String, SegmentMembership> it = partition.getResult()) {
                for (int i = 0; i < limit && it.hasNext(); i++) {
                    members.add(it.next().value);
                }
            }
        }
        return sortMembers(members, limit);
    }

    static List<SegmentMembership> sortMembers(List<SegmentMembership> members, int limit) {
        return members.stream().sorted(Comparator.comparing(SegmentMembership::getCustomerId)).limit(limit).toList();
    }

    /** Number of members of each segment held by this instance. */
    @Override
    public Map<String, Long> memberCounts() {
        requireRunning();
        StateQueryResult<KeyValueIterator<String, SegmentMembership>> result = streams.query(
                StateQueryRequest.inStore(Names.SEGMENT_INDEX).withQuery(RangeQuery.<String, SegmentMembership>withNoBounds()));
        Map<String, Long> counts = new TreeMap<>();
        for (QueryResult<KeyValueIterator<String, SegmentMembership>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                throw failure(partition);
            }
            try (KeyValueIterator<String, SegmentMembership> it = partition.getResult()) {
                it.forEachRemaining(kv -> counts.merge(MemberKey.segmentOf(kv.key), 1L, Long::sum));
            }
        }
        return counts;
    }

    /** The segment definitions in force (every customer partition holds them all); empty without partitions. */
    @Override
    public List<SegmentDefinition> definitions() {
        requireRunning();
        StateQueryResult<KeyValueIterator<String, SegmentDefinition>> result = streams.query(
                StateQueryRequest.inStore(Names.CUSTOMER_STAGE_DEFINITIONS).withQuery(RangeQuery.<String, SegmentDefinition>withNoBounds()));
        for (QueryResult<KeyValueIterator<String, SegmentDefinition>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                continue;
            }
            List<SegmentDefinition> definitions = new ArrayList<>();
            try (KeyValueIterator<String, SegmentDefinition> it = partition.getResult()) {
                it.forEachRemaining(kv -> definitions.add(kv.value));
            }
            return definitions;
        }
        return List.of();
    }

    /** Every version of a segment's definition (every customer partition holds them all); empty without partitions. */
    @Override
    public List<DefinitionVersion> versions(String segmentId) {
        requireRunning();
        StateQueryResult<KeyValueIterator<String, ValueAndTimestamp<SegmentDefinition>>> result = streams.query(
                StateQueryRequest.inStore(Names.SEGMENT_VERSIONS).withQuery(TimestampedRangeQuery.<String, SegmentDefinition>withRange(
                        Names.segmentVersionKey(segmentId, Integer.MIN_VALUE), Names.segmentVersionKey(segmentId, Integer.MAX_VALUE))));
        for (QueryResult<KeyValueIterator<String, ValueAndTimestamp<SegmentDefinition>>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                continue;
            }
            List<DefinitionVersion> versions = new ArrayList<>();
            try (KeyValueIterator<String, ValueAndTimestamp<SegmentDefinition>> it = partition.getResult()) {
                it.forEachRemaining(kv -> versions.add(new DefinitionVersion(kv.value.value(), kv.value.timestamp())));
            }
            return versions;
        }
        return List.of();
    }

    /**
     * Compares a segment's SHADOW definition with its live one over every customer held here (a scan
     * of the customer state: an occasional question, not a hot path). A customer the shadow rule
     * holds is one with its would-be membership (the reason is the shadow entry's); one it would
     * let go is a live member without it, with the shadow rule's values for them now.
     */
    @Override
    public Optional<ShadowComparison> shadow(String segmentId, int sample) {
        SegmentDefinition shadowDefinition = null;
        Integer liveVersion = null;
        for (SegmentDefinition d : definitions()) {
            if (d.getId().equals(segmentId)) {
                if (Segment.isShadow(d)) {
                    shadowDefinition = d;
                } else {
                    liveVersion = d.getVersion();
                }
            }
        }
        if (shadowDefinition == null) {
            return Optional.empty();
        }
        Segment shadow = Segment.compile(shadowDefinition);
        StateQueryResult<KeyValueIterator<String, CustomerState>> result = allStates();
        InfluenceDistribution dist = distribution();
        long enter = 0;
        long leave = 0;
        long stay = 0;
        List<ShadowSample> entering = new ArrayList<>();
        List<ShadowSample> leaving = new ArrayList<>();
        for (QueryResult<KeyValueIterator<String, CustomerState>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                throw failure(partition);
            }
            try (KeyValueIterator<String, CustomerState> it = partition.getResult()) {
                while (it.hasNext()) {
                    KeyValue<String, CustomerState> entry = it.next();
                    CustomerState state = entry.value;
                    Membership inShadow = null;
                    boolean inLive = false;
                    for (Membership m : state.getMemberships()) {
                        if (m.getSegmentId().equals(shadow.key())) {
                            inShadow = m;
                        } else if (m.getSegmentId().equals(segmentId)) {
                            inLive = true;
                        }
                    }
                    if (inShadow != null && inLive) {
                        stay++;
                    } else if (inShadow != null) {
                        enter++;
                        entering.add(new ShadowSample(entry.key, inShadow.getReason()));
                    } else if (inLive) {
                        leave++;
                        ProfileBuilder.Built built = builder.build(entry.key, state, ProfileBuilder.asOf(state, state.getRefreshedAt()), dist);
                        String values = shadow.enter().values(new ProfileView(built.profile(), built.daysSinceActivity()));
                        leaving.add(new ShadowSample(entry.key, "the shadow's enterWhen (" + shadow.enter().source() + ") does not hold: " + values));
                    }
                }
            }
        }
        return Optional.of(new ShadowComparison(shadowDefinition.getVersion(), liveVersion, enter, leave, stay,
                firstById(entering, sample), firstById(leaving, sample)));
    }

    private static List<ShadowSample> firstById(List<ShadowSample> samples, int limit) {
        return samples.stream().sorted(Comparator.comparing(ShadowSample::customerId)).limit(limit).toList();
    }

    /** Whether this instance holds any customer partition (and so can answer {@link #definitions()}). */
    @Override
    public boolean holdsCustomers() {
        return streams.metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
                .anyMatch(task -> task.topicPartitions().stream()
                        .anyMatch(tp -> tp.topic().endsWith(Names.CUSTOMER_EVENTS + "-repartition")));
    }

    /** The merged influence distribution, re-read at most once a second. */
    private InfluenceDistribution distribution() {
        long now = System.currentTimeMillis();
        if (now - distributionCheckedAt < 1000) {
            return published.distribution();
        }
        distributionCheckedAt = now;
        try {
            ReadOnlyKeyValueStore<String, ValueAndTimestamp<byte[]>> store = streams.store(StoreQueryParameters
                    .fromNameAndType(Names.INFLUENCE_DISTRIBUTION, QueryableStoreTypes.timestampedKeyValueStore()));
            try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = store.all()) {
                published.reload(all);
            }
        } catch (InvalidStateStoreException e) {
            // keep the last distribution while the global store is not queryable
        }
        return published.distribution();
    }

    private void requireRunning() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new NotAvailableException("the application is " + state);
        }
    }

    private static RuntimeException failure(QueryResult<?> answer) {
        if (answer == null) {
            return new NotAvailableException("this instance does not hold that partition now (rebalancing)");
        }
        FailureReason reason = answer.getFailureReason();
        if (reason == FailureReason.NOT_ACTIVE || reason == FailureReason.NOT_PRESENT || reason == FailureReason.NOT_UP_TO_BOUND) {
            return new NotAvailableException("the store is " + reason + " on this instance (rebalancing or restoring)");
        }
        return new IllegalStateException("query failed: " + reason + ": " + answer.getFailureMessage());
    }
}
