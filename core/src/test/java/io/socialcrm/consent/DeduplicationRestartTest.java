package io.socialcrm.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.Names;
import io.socialcrm.common.Routed;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.metrics.MetricsDeltasSerde;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.testing.TopologyFixture;
import io.socialcrm.topology.StreamsProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * The consent gate's in-heap filter only skips lookups of events the de-duplication store has never
 * held, so it must know every event the store holds when a task starts again: a duplicate that
 * arrives after a restart (a connector re-delivering, a replay of an overlapping file) is dropped.
 * The gate alone on real RocksDB stores, stopped and started on the same state directory.
 */
class DeduplicationRestartTest {
    private static final Settings S = settings();
    private static final TopologySettings SETTINGS = TopologySettings.from(S, 1);

    private static Settings settings() {
        io.socialcrm.serde.AvroClassTrust.install();
        Map<String, String> values = AppConfig.givenDefaults();
        values.put(AppConfig.BOOTSTRAP_SERVERS.name(), "unused:9092");
        values.put(AppConfig.SCHEMA_REGISTRY_URL.name(), "mock://restart");
        values.put(AppConfig.ENGAGERS_SALT.name(), TopologyFixture.SALT);
        return Settings.of(values, "test");
    }

    /** A share by twitter:2 of twitter:1's post: a credit to an account without consent. */
    private static SocialActivity share(String eventId) {
        return TopologyFixture.act("twitter", "2", ActivityType.SHARE, TopologyFixture.T0)
                .setEventId(eventId).setTargetUserId("1").setTargetPostId("p1").build();
    }

    @Test
    void aDuplicateArrivingAfterARestartIsStillDropped() throws Exception {
        Path dir = Files.createTempDirectory("socialcrm-dedupe-");
        SocialActivity share = share("tweet-42");
        SocialActivity other = share("tweet-43");
        try {
            assertEquals(2, creditsAfterStart(dir, List.of(share, other)), "first run: two events, two credits");
            assertEquals(0, creditsAfterStart(dir, List.of(share, other, share)), "after the restart: all seen");
            assertEquals(1, creditsAfterStart(dir, List.of(share("tweet-44"), share)), "a new event still counts once");
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    /**
     * Versions until December 2026 stored 16-byte event hashes; today's store keys are 8 bytes. A
     * duplicate of an event an earlier version saw is still dropped after the upgrade, for as long as
     * the store keeps the old entry.
     */
    @Test
    void aDuplicateOfAnEventAnEarlierVersionStoredIsDropped() throws Exception {
        Path dir = Files.createTempDirectory("socialcrm-dedupe-legacy-");
        SocialActivity share = share("tweet-42");
        SocialActivity other = share("tweet-43");
        try {
            // what an earlier version left in the store: the 16-byte hash of tweet-42, value {1}
            creditsAfterStart(dir, List.of(), seen -> seen.put(
                    Bytes.wrap(SETTINGS.hasher().legacyEvent("twitter", "tweet-42")), new byte[] {1},
                    TopologyFixture.T0.toEpochMilli()));
            assertEquals(1, creditsAfterStart(dir, List.of(share, other, other)),
                    "tweet-42 was seen by the earlier version; tweet-43 counts once");
            assertEquals(0, creditsAfterStart(dir, List.of(share, other)), "after another restart both are still known");
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    private static long creditsAfterStart(Path dir, List<SocialActivity> activities) {
        return creditsAfterStart(dir, activities, seen -> { });
    }

    /** Starts the gate on {@code dir}'s stores ({@code before} may fill the de-duplication store first) and counts its credits. */
    @SuppressWarnings({"deprecation", "unchecked"})
    private static long creditsAfterStart(Path dir, List<SocialActivity> activities, Consumer<WindowStore<Bytes, byte[]>> before) {
        Properties props = StreamsProperties.of(S, SETTINGS);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedupe-restart");
        MockProcessorContext<String, Routed> context = new MockProcessorContext<>(props, new TaskId(0, 0), dir.toFile());
        List<StateStore> stores = List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.ACCOUNT_CONSENTS), Serdes.String(),
                        InternalSerde.of(AccountConsent.class)).withLoggingDisabled().build(),
                Stores.windowStoreBuilder(Stores.persistentWindowStore(Names.SEEN_EVENTS, SETTINGS.dedupeWindow(),
                        SETTINGS.dedupeWindow(), false), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build(),
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.METRICS_BUFFER), Serdes.String(),
                        MetricsDeltasSerde.INSTANCE).withLoggingDisabled().build(),
                // empty: the target has no consent, so each credit goes to its account's partition
                Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.ACCOUNT_DIRECTORY), Serdes.String(),
                        Serdes.String()).withLoggingDisabled().build());
        for (StateStore store : stores) {
            context.addStateStore(store);
            store.init(context.getStateStoreContext(), store);
        }
        try {
            before.accept((WindowStore<Bytes, byte[]>) stores.get(1));
            ConsentGate gate = new ConsentGate(SETTINGS);
            gate.init(context);
            long streamTime = 0;
            for (SocialActivity a : activities) {
                long time = a.getOccurredAt().toEpochMilli();
                streamTime = Math.max(streamTime, time);
                context.setCurrentStreamTimeMs(streamTime);
                gate.process(new Record<>("twitter:" + a.getActorId(), a, time));
            }
            return context.forwarded().stream().filter(f -> f.record().value() instanceof Routed.ToAccounts).count();
        } finally {
            for (StateStore store : stores) {
                store.flush();
                store.close();
            }
        }
    }
}
