package io.socialcrm.testing;

import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.AccessRequest;
import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.CustomerUnmerge;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.common.Names;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.MockSchemaRegistry;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.topology.SocialCrmTopology;
import io.socialcrm.topology.StreamsProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The production topology in a {@link TopologyTestDriver}, with the in-process registry, typed
 * input and output topics, and builders for the contract's records. Close it after use.
 */
public final class TopologyFixture implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    public static final String SALT = "test-salt-0123456789abcdef";

    public final TopologySettings settings;
    public final Topics topics;
    public final TopologyTestDriver driver;
    public final Topology topology;
    private final SchemaRegistryConfig registry;
    private final String scope = "ttd-" + UUID.randomUUID();
    private final Path stateDir;

    public final TestInputTopic<String, SocialActivity> activity;
    public final TestInputTopic<String, ConsentRecord> consents;
    public final TestInputTopic<String, ProfileSnapshot> profiles;
    public final TestInputTopic<String, SegmentDefinition> definitions;
    public final TestInputTopic<String, CustomerMerge> merges;
    public final TestInputTopic<String, CustomerUnmerge> unmerges;
    public final TestInputTopic<String, ErasureRequest> erasures;
    public final TestInputTopic<String, byte[]> rawActivity;
    public final TestOutputTopic<String, CustomerProfile> customerProfiles;
    public final TestOutputTopic<String, SegmentChange> segmentChanges;
    public final TestOutputTopic<String, SegmentChange> shadowChanges;
    public final TestOutputTopic<String, SegmentMembership> segmentMembers;
    public final TestOutputTopic<String, ContactOpportunity> contactOpportunities;
    public final TestOutputTopic<String, ActivityMetrics> metrics;
    public final TestOutputTopic<String, ErasureReceipt> receipts;
    public final TestOutputTopic<String, ConsentTakeUp> takeUp;
    public final TestOutputTopic<String, AccessReport> accessReports;
    public final TestInputTopic<String, AccessRequest> accessRequests;
    public final TestOutputTopic<byte[], byte[]> deadLetters;

    public TopologyFixture() {
        this(Map.of());
    }

    public TopologyFixture(Map<String, String> overrides) {
        Map<String, String> values = AppConfig.givenDefaults();
        values.put(AppConfig.BOOTSTRAP_SERVERS.name(), "unused:9092");
        values.put(AppConfig.SCHEMA_REGISTRY_URL.name(), "mock://" + scope);
        values.put(AppConfig.ENGAGERS_SALT.name(), SALT);
        values.put(AppConfig.SEGMENTS_REFRESH.name(), "1h");
        // one punctuation sweeps a test's few customers whatever the machine's load: tests advance the
        // clock once and expect the pass done, and the budget is measured in real time
        values.put(AppConfig.SWEEP_BUDGET.name(), "10s");
        values.putAll(overrides);
        Settings s = Settings.of(values, "test");
        settings = TopologySettings.from(s, 1);
        topics = settings.topics();
        registry = StreamsProperties.registry(s);
        try {
            Files.createDirectories(Path.of("target", "state"));
            stateDir = Files.createTempDirectory(Path.of("target", "state"), "ttd-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Properties props = StreamsProperties.of(s, settings);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        topology = SocialCrmTopology.build(settings, registry, props);
        driver = new TopologyTestDriver(topology, props, T0);
        activity = input(topics.socialActivity);
        consents = input(topics.consents);
        profiles = input(topics.socialProfiles);
        definitions = input(topics.segmentDefinitions);
        merges = input(topics.customerMerges);
        unmerges = input(topics.customerUnmerges);
        erasures = input(topics.erasureRequests);
        rawActivity = driver.createInputTopic(topics.socialActivity.name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        customerProfiles = output(topics.customerProfiles);
        segmentChanges = output(topics.segmentChanges);
        shadowChanges = output(topics.segmentShadowChanges);
        segmentMembers = output(topics.segmentMembers);
        contactOpportunities = output(topics.contactOpportunities);
        metrics = output(topics.socialMetrics);
        receipts = output(topics.erasureReceipts);
        takeUp = output(topics.consentTakeUp);
        accessReports = output(topics.accessReports);
        accessRequests = input(topics.accessRequests);
        deadLetters = driver.createOutputTopic(topics.deadLetters.name(), Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer());
    }

    private <V extends SpecificRecord> TestInputTopic<String, V> input(Topic<V> topic) {
        return driver.createInputTopic(topic.name(), Topics.keySerde().serializer(),
                Topics.valueSerde(topic, registry).serializer());
    }

    private <V extends SpecificRecord> TestOutputTopic<String, V> output(Topic<V> topic) {
        return driver.createOutputTopic(topic.name(), Topics.keySerde().deserializer(),
                Topics.valueSerde(topic, registry).deserializer());
    }

    public SchemaRegistryConfig registry() {
        return registry;
    }

    // ---- records ---------------------------------------------------------------------------

    public static ConsentRecord consent(String customerId, String platform, String userId, Instant at,
                                        ConsentStatus status, ConsentScope... scopes) {
        return ConsentRecord.newBuilder().setCustomerId(customerId).setPlatform(platform).setPlatformUserId(userId)
                .setHandle("h" + userId).setScopes(Arrays.asList(scopes)).setStatus(status).setPolicyVersion("2026-01")
                .setSource("test").setRecordedAt(at).build();
    }

    /** Grants ACTIVITY, CONTENT and PROFILE (unless other scopes are given). */
    public void grant(String customerId, String platform, String userId, Instant at, ConsentScope... scopes) {
        ConsentScope[] s = scopes.length == 0
                ? new ConsentScope[] {ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE} : scopes;
        consents.pipeInput(platform + ":" + userId, consent(customerId, platform, userId, at, ConsentStatus.GRANTED, s), at);
    }

    public void revoke(String customerId, String platform, String userId, Instant at) {
        consents.pipeInput(platform + ":" + userId, consent(customerId, platform, userId, at, ConsentStatus.REVOKED), at);
    }

    public static SocialActivity.Builder act(String platform, String actorId, ActivityType type, Instant at) {
        return SocialActivity.newBuilder().setEventId("e" + UUID.randomUUID()).setPlatform(platform).setActorId(actorId)
                .setActorHandle("h" + actorId).setType(type).setOccurredAt(at).setSource("test");
    }

    public void pipe(SocialActivity activity) {
        this.activity.pipeInput(activity.getPlatform() + ":" + activity.getActorId(), activity, activity.getOccurredAt());
    }

    /** A post by an account. */
    public void post(String actorId, Instant at, String text, String... hashtags) {
        pipe(act("twitter", actorId, ActivityType.POST, at).setText(text).setHashtags(List.of(hashtags)).build());
    }

    /** An action of {@code actorId} on {@code targetId}'s post or account. */
    public void engage(String actorId, ActivityType type, String targetId, Instant at) {
        pipe(act("twitter", actorId, type, at).setTargetUserId(targetId).setTargetPostId("p" + targetId).build());
    }

    public void mention(String actorId, Instant at, String... mentioned) {
        pipe(act("twitter", actorId, ActivityType.POST, at).setMentionedUserIds(List.of(mentioned)).setText("hi").build());
    }

    public void define(String id, String enterWhen, String exitWhen, int version) {
        definitions.pipeInput(id, SegmentDefinition.newBuilder().setId(id).setDescription(id).setEnterWhen(enterWhen)
                .setExitWhen(exitWhen).setVersion(version).setEnabled(true).build(), T0);
    }

    // ---- reading -----------------------------------------------------------------------------

    /** Latest value per key of an output topic, read to the end (tombstones remove). */
    public static <V> Map<String, V> latest(TestOutputTopic<String, V> topic) {
        Map<String, V> latest = new LinkedHashMap<>();
        topic.readRecordsToList().forEach(r -> {
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r.value());
            }
        });
        return latest;
    }

    public static <V> List<V> values(TestOutputTopic<String, V> topic) {
        List<V> values = new ArrayList<>();
        topic.readRecordsToList().forEach(r -> values.add(r.value()));
        return values;
    }

    public KeyValueStore<String, CustomerState> customerState() {
        return driver.getKeyValueStore(Names.CUSTOMER_STATE);
    }

    public <K, V> KeyValueStore<K, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    public void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    /**
     * Lets the metrics reach {@code social-metrics}: two flush intervals, since the buffers send
     * their deltas at one flush and the aggregator writes its windows at its own, whichever of the
     * two punctuations the driver runs first.
     */
    public void flushMetrics() {
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
    }

    @Override
    public void close() {
        driver.close();
        MockSchemaRegistry.drop(scope);
        try {
            Utils.delete(stateDir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
