package io.socialcrm.bench.micro;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.avro.internal.ContactPlan;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.avro.internal.PendingErasure;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.consent.AccountCommands;
import io.socialcrm.consent.ConsentGate;
import io.socialcrm.consent.ConsentRecorder;
import io.socialcrm.consent.SeenEvents;
import io.socialcrm.contract.Topics;
import io.socialcrm.customers.CustomerProcessor;
import io.socialcrm.metrics.MetricsDeltasSerde;
import io.socialcrm.segments.SegmentFile;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.serde.MockSchemaRegistry;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.topology.StreamsProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The in-process hot path of one activity, processor by processor as the topology wires them, in one
 * thread, without a broker: the activity's bytes deserialised, the consent gate (de-duplication,
 * consent, contexts of the text), the credits (straight to the customer stage through the account
 * directory, or through the account commands when the target has no consent), and the customer stage
 * (state read and written through its serdes, profile, the 16 default segments) with the profile it
 * emits serialised; and every {@value #EVENTS_PER_COMMIT} activities, what the application does
 * before a commit (customer states written and refreshed, profiles, metrics and the open
 * de-duplication batch sent or written, credits' batches sent: until 2026-12-05 these were done at
 * every activity here, as a processor does when it runs outside Kafka Streams). The stores are those
 * of the topology (RocksDB where it persists, no cache, no changelog): what is measured is the
 * application's own work and its state, not the broker or transactions (the end-to-end figure is
 * {@code socialcrm bench}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Pipeline {
    private static final int ACCOUNTS = 4_000;
    private static final int TEMPLATES = 8_192;
    /** The first activity's time (parsed once: parsing it for every call was 2 % of the measured time). */
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    private MockProcessorContext<String, Routed> gateContext;
    private MockProcessorContext<String, Routed> commandsContext;
    private MockProcessorContext<String, Routed> customerContext;
    private ConsentGate gate;
    private AccountCommands commands;
    private CustomerProcessor customers;
    private org.apache.kafka.streams.state.TimestampedKeyValueStore<String, String> directory;
    private Deserializer<SocialActivity> activities;
    private Serializer<io.socialcrm.avro.CustomerProfile> profiles;
    private String[] keys;
    private SocialActivity[] templates;
    private byte[][] bytes;
    private long next;
    private String scope;
    private java.nio.file.Path stateDir;
    private int contexts;
    private java.util.Properties streamsProps = new java.util.Properties();
    /** The customer stage's stream time: the latest timestamp delivered to it. */
    private long customerStreamTime = Long.MIN_VALUE;
    /**
     * Activities between two commits. A running application's tasks commit every {@code commit.interval.ms}
     * (50 ms): at the 4,000 activities/s of {@code bench}'s full run, about 200 activities a commit over
     * four tasks of each stage, 50 each; this benchmark runs one task of each stage.
     */
    static final int EVENTS_PER_COMMIT = 50;
    /** The hooks' work (io.socialcrm.common.BeforeCommit) waits for {@link #commit()}, as for a commit in the application. */
    private final io.socialcrm.common.BeforeCommit.Manual commits = new io.socialcrm.common.BeforeCommit.Manual();
    private int sinceCommit;
    /** Profiles the customer stage emitted (and this benchmark serialised). */
    long profilesWritten;

    @Setup(Level.Trial)
    public void setUp() {
        io.socialcrm.serde.AvroClassTrust.install();
        scope = "bench-" + UUID.randomUUID();
        try {
            stateDir = java.nio.file.Files.createTempDirectory("socialcrm-bench-micro-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, String> values = AppConfig.givenDefaults();
        values.put(AppConfig.BOOTSTRAP_SERVERS.name(), "unused:9092");
        values.put(AppConfig.SCHEMA_REGISTRY_URL.name(), "mock://" + scope);
        values.put(AppConfig.ENGAGERS_SALT.name(), "bench-salt-0123456789abcdef");
        values.put(AppConfig.MIN_POPULATION.name(), "1");
        Settings s = Settings.of(values, "bench");
        TopologySettings settings = TopologySettings.from(s, 1);
        SchemaRegistryConfig registry = StreamsProperties.registry(s);
        // the application's Streams configuration, so that its RocksDB options apply to these stores too
        streamsProps = StreamsProperties.of(s, settings);
        Topics topics = settings.topics();

        var consents = store(Stores.keyValueStoreBuilder(io.socialcrm.topology.KeyFilteredStore.persistent(Names.ACCOUNT_CONSENTS), Serdes.String(),
                InternalSerde.of(AccountConsent.class)).withLoggingDisabled().build());
        var seenBatches = store(SeenEvents.batchesStore().withLoggingDisabled().build());
        var seenIndex = store(SeenEvents.indexStore().build());
        var seen = store(SeenEvents.earlierStore(settings.dedupeWindow()).withLoggingDisabled().build());
        var metrics = store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.METRICS_BUFFER), Serdes.String(),
                MetricsDeltasSerde.INSTANCE).withLoggingDisabled().build());
        var consentMetrics = store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.CONSENT_METRICS_BUFFER), Serdes.String(),
                MetricsDeltasSerde.INSTANCE).withLoggingDisabled().build());
        // the account directory, a global table in the topology: filled by deliver() as the global thread would
        directory = store(Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.ACCOUNT_DIRECTORY),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build());
        gateContext = context(consents, seenBatches, seenIndex, seen, metrics, consentMetrics, directory);
        commandsContext = context(consents);
        customerContext = context(
                store(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.CUSTOMER_STATE), Serdes.String(),
                        InternalSerde.of(CustomerState.class)).withLoggingDisabled().build()),
                store(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SEGMENT_INDEX), Serdes.String(),
                        InternalSerde.of(io.socialcrm.avro.SegmentMembership.class)).withLoggingDisabled().build()),
                store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.INFLUENCE_INDEX), Serdes.String(), Serdes.String())
                        .withLoggingDisabled().build()),
                store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.CUSTOMER_STAGE_DEFINITIONS), Serdes.String(),
                        InternalSerde.of(SegmentDefinition.class)).withLoggingDisabled().build()),
                store(Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.SEGMENT_VERSIONS), Serdes.String(),
                        InternalSerde.of(SegmentDefinition.class)).withLoggingDisabled().build()),
                store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.PENDING_ERASURES), Serdes.String(),
                        InternalSerde.of(PendingErasure.class)).withLoggingDisabled().build()),
                store(Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.INFLUENCE_DISTRIBUTION),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build()),
                store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.CUSTOMER_METRICS_BUFFER), Serdes.String(),
                        MetricsDeltasSerde.INSTANCE).withLoggingDisabled().build()),
                store(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.CONTACT_PLANS), Serdes.String(),
                        InternalSerde.of(ContactPlan.class)).withLoggingDisabled().build()));
        initStores(gateContext);
        initStores(customerContext, Names.CUSTOMER_STATE, Names.SEGMENT_INDEX, Names.INFLUENCE_INDEX, Names.CUSTOMER_STAGE_DEFINITIONS,
                Names.SEGMENT_VERSIONS, Names.PENDING_ERASURES, Names.INFLUENCE_DISTRIBUTION, Names.CUSTOMER_METRICS_BUFFER,
                Names.CONTACT_PLANS);
        gate = new ConsentGate(settings);
        gate.init(gateContext);
        commands = new AccountCommands(settings);
        commands.init(commandsContext);
        customers = new CustomerProcessor(settings, System::nanoTime);
        customers.init(customerContext);
        ConsentRecorder recorder = new ConsentRecorder(settings);
        recorder.init(gateContext);

        activities = Topics.valueSerde(topics.socialActivity, registry).deserializer();
        profiles = Topics.valueSerde(topics.customerProfiles, registry).serializer();
        Instant t = START;
        customerStreamTime = t.toEpochMilli();
        customerContext.setCurrentStreamTimeMs(customerStreamTime);
        for (SegmentDefinition d : SegmentFile.builtIn()) {
            customers.process(new Record<>(d.getId(), new CustomerEvent(new DefinitionChanged(d.getId(), d)), t.toEpochMilli()));
        }
        for (int a = 0; a < ACCOUNTS; a++) {
            recorder.process(new Record<>("twitter:" + a, ConsentRecord.newBuilder().setCustomerId("c" + (a / 2)).setPlatform("twitter")
                    .setPlatformUserId(Integer.toString(a)).setHandle(null)
                    .setScopes(List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE))
                    .setStatus(ConsentStatus.GRANTED).setPolicyVersion(null).setSource(null).setRecordedAt(t).build(), t.toEpochMilli()));
            deliver(gateContext);
        }
        commit(); // the set-up committed, as a running application would have by the time activity comes
        var serializer = Topics.valueSerde(topics.socialActivity, registry).serializer();
        // 3 in 4 actors without consent, as in the field; activity re-dated and re-numbered each send
        Random random = new Random(7);
        ActivityType[] types = {ActivityType.POST, ActivityType.REPLY, ActivityType.SHARE, ActivityType.LIKE, ActivityType.POST};
        keys = new String[TEMPLATES];
        templates = new SocialActivity[TEMPLATES];
        bytes = new byte[TEMPLATES][];
        for (int i = 0; i < TEMPLATES; i++) {
            int actor = random.nextInt(ACCOUNTS * 4);
            ActivityType type = types[random.nextInt(types.length)];
            SocialActivity.Builder a = SocialActivity.newBuilder().setEventId("b" + i).setPlatform("twitter")
                    .setActorId(Integer.toString(actor)).setActorHandle(null).setType(type).setOccurredAt(t).setSource("bench");
            if (type == ActivityType.POST || type == ActivityType.REPLY) {
                a.setText("watching the premier league tonight with friends, what a game").setHashtags(List.of("premierleague"));
            }
            if (type != ActivityType.POST) {
                a.setTargetUserId(Integer.toString(random.nextInt(ACCOUNTS))).setTargetPostId("p1");
            } else if (random.nextBoolean()) {
                a.setMentionedUserIds(List.of(Integer.toString(random.nextInt(ACCOUNTS))));
            }
            keys[i] = "twitter:" + actor;
            templates[i] = a.build();
            bytes[i] = serializer.serialize(topics.socialActivity.name(), templates[i]);
        }
    }

    private static <S extends StateStore> S store(S store) {
        return store;
    }

    private MockProcessorContext<String, Routed> context(StateStore... stores) {
        java.util.Properties props = new java.util.Properties();
        props.putAll(streamsProps);
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(io.socialcrm.common.BeforeCommit.MANUAL_CONFIG, commits);
        MockProcessorContext<String, Routed> context = new MockProcessorContext<>(props,
                new org.apache.kafka.streams.processor.TaskId(0, contexts++), stateDir.toFile());
        for (StateStore store : stores) {
            context.addStateStore(store);
        }
        return context;
    }

    @SuppressWarnings("deprecation")
    private static void initStores(MockProcessorContext<String, Routed> context, String... names) {
        List<String> all = names.length > 0 ? List.of(names)
                : List.of(Names.ACCOUNT_CONSENTS, Names.SEEN_BATCHES, Names.SEEN_INDEX, Names.SEEN_EVENTS, Names.METRICS_BUFFER,
                        Names.CONSENT_METRICS_BUFFER, Names.ACCOUNT_DIRECTORY);
        for (String name : all) {
            StateStore store = context.getStateStore(name);
            store.init(context.getStateStoreContext(), store);
        }
    }

    /** Hands what {@code from} forwarded to the next processors, as the topology's repartitions would; returns the count. */
    private int deliver(MockProcessorContext<String, Routed> from) {
        List<Record<String, Routed>> pending = new ArrayList<>();
        take(from, pending);
        return deliver(pending);
    }

    /** Moves what {@code from} forwarded to {@code pending}. */
    private static void take(MockProcessorContext<String, Routed> from, List<Record<String, Routed>> pending) {
        from.forwarded().forEach(f -> pending.add(copy(f.record())));
        from.resetForwards();
    }

    /**
     * A commit of every task: the work the application does before one (customer states written,
     * customers refreshed, profiles and metrics sent, the open de-duplication batch written, credits'
     * batches sent), and what that work forwards handed on, until nothing more is waiting.
     */
    private int commit() {
        sinceCommit = 0;
        int n = 0;
        for (int round = 0; round < 5; round++) {
            commits.commit();
            List<Record<String, Routed>> pending = new ArrayList<>();
            take(gateContext, pending);
            take(commandsContext, pending);
            int customerOut = fromCustomers(pending);
            if (pending.isEmpty() && customerOut == 0) {
                break;
            }
            n += customerOut + deliver(pending);
        }
        return n;
    }

    /** Serialises the profiles the customer stage forwarded; adds its credits to {@code pending}; returns the count. */
    private int fromCustomers(List<Record<String, Routed>> pending) {
        int n = 0;
        for (var f : customerContext.forwarded()) {
            Routed out = f.record().value();
            n++;
            if (out instanceof Routed.ToProfiles p && p.profile() != null) {
                profiles.serialize("customer-profiles", p.profile());
                profilesWritten++;
            } else if (out instanceof Routed.ToAccounts) {
                pending.add(copy(f.record()));
            }
        }
        customerContext.resetForwards();
        return n;
    }

    private int deliver(List<Record<String, Routed>> pending) {
        int n = 0;
        while (!pending.isEmpty()) {
            Record<String, Routed> r = pending.remove(pending.size() - 1);
            n++;
            if (r.value() instanceof Routed.ToDirectory d) {
                directory.put(r.key(), org.apache.kafka.streams.state.ValueAndTimestamp.make(d.customerId(), r.timestamp()));
            } else if (r.value() instanceof Routed.ToAccounts a) {
                commands.process(new Record<>(r.key(), a.command(), r.timestamp()));
                take(commandsContext, pending);
            } else if (r.value() instanceof Routed.ToCustomers c) {
                customerStreamTime = Math.max(customerStreamTime, r.timestamp());
                customerContext.setCurrentStreamTimeMs(customerStreamTime);
                customers.process(new Record<>(r.key(), c.event(), r.timestamp()));
                fromCustomers(pending);
            }
        }
        return n;
    }

    private static Record<String, Routed> copy(Record<? extends String, ? extends Routed> r) {
        return new Record<>(r.key(), r.value(), r.timestamp());
    }

    /** One activity through the whole in-process path, and every {@value #EVENTS_PER_COMMIT}th a commit. */
    @Benchmark
    public void activity(Blackhole bh) {
        gate();
        bh.consume(deliver(gateContext));
        if (++sinceCommit == EVENTS_PER_COMMIT) {
            bh.consume(commit());
        }
    }

    /**
     * The consent gate alone: the activity's bytes deserialised, de-duplication against the window
     * store, the actor's consent read, the contexts of the text, the credits and metrics it emits
     * (dropped here, not delivered).
     */
    @Benchmark
    public void consentGate(Blackhole bh) {
        gate();
        if (++sinceCommit == EVENTS_PER_COMMIT) {
            sinceCommit = 0;
            commits.commit();
        }
        bh.consume(gateContext.forwarded().size());
        gateContext.resetForwards();
    }

    private void gate() {
        int i = (int) (next % TEMPLATES);
        SocialActivity a = activities.deserialize("social-activity", bytes[i]);
        long n = next++;
        a.setEventId("e" + n);
        Instant at = START.plusMillis(n * 50);
        a.setOccurredAt(at);
        gateContext.setCurrentStreamTimeMs(at.toEpochMilli());
        gate.process(new Record<>(keys[i], a, at.toEpochMilli()));
    }

    /** Customers the customer stage holds state for (for the test that runs this benchmark's set-up and a few activities). */
    long customersWithState() {
        org.apache.kafka.streams.state.KeyValueStore<String, CustomerState> states = customerContext.getStateStore(Names.CUSTOMER_STATE);
        return states.approximateNumEntries();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (var context : List.of(gateContext, customerContext)) {
            for (String name : List.of(Names.ACCOUNT_CONSENTS, Names.SEEN_INDEX, Names.SEEN_EVENTS, Names.CUSTOMER_STATE, Names.SEGMENT_INDEX,
                    Names.INFLUENCE_INDEX, Names.CONTACT_PLANS)) {
                try {
                    StateStore store = context.getStateStore(name);
                    store.close();
                } catch (RuntimeException notInThisContext) {
                    // each context holds some of the stores
                }
            }
        }
        try {
            Utils.delete(stateDir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MockSchemaRegistry.drop(scope);
    }
}
