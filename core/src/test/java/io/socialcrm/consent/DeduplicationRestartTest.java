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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A duplicate is dropped however the gate's task starts again: on the same state directory after a
 * clean close (the index kept, as its marker says), after a crash or on another instance (the index
 * rebuilt from the batches the changelog restores), after another instance ran the task meanwhile
 * (the batches it added put into the stale index), and after an upgrade from the store of earlier
 * versions. The gate alone on real RocksDB stores; the batches' changelog is modelled by carrying the
 * in-memory batch store's content from one start to the next, as a restore would.
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

    /** What the {@code seen-batches} changelog holds, compacted: carried from one start to the next. */
    private final Map<Long, byte[]> changelog = new TreeMap<>();

    @Test
    void aDuplicateArrivingAfterACleanRestartIsStillDropped(@TempDir Path dir) {
        SocialActivity share = share("tweet-42");
        SocialActivity other = share("tweet-43");
        assertEquals(2, creditsAfterStart(dir, List.of(share, other), true), "first run: two events, two credits");
        assertEquals(0, creditsAfterStart(dir, List.of(share, other, share), true), "after the restart: all seen");
        assertEquals(1, creditsAfterStart(dir, List.of(share("tweet-44"), share), true), "a new event still counts once");
    }

    @Test
    void onANewInstanceOrAfterACrashTheIndexIsRebuiltFromTheBatches(@TempDir Path first, @TempDir Path second) {
        assertEquals(2, creditsAfterStart(first, List.of(share("tweet-42"), share("tweet-43")), false),
                "first run, ended by a crash: no clean-close marker");
        assertEquals(1, creditsAfterStart(first, List.of(share("tweet-42"), share("tweet-44")), false),
                "the same directory after the crash: tweet-42 known again from the batches");
        assertEquals(0, creditsAfterStart(second, List.of(share("tweet-43"), share("tweet-44"), share("tweet-42")), true),
                "another instance, nothing on its disk: all known from the batches");
    }

    @Test
    void whatAnotherInstanceSawMeanwhileIsPutIntoAStaleIndex(@TempDir Path first, @TempDir Path second) {
        assertEquals(1, creditsAfterStart(first, List.of(share("tweet-42")), true), "instance A, closed cleanly");
        assertEquals(1, creditsAfterStart(second, List.of(share("tweet-43"), share("tweet-42")), true),
                "the task moved to instance B: tweet-43 is new there");
        assertEquals(0, creditsAfterStart(first, List.of(share("tweet-43"), share("tweet-42")), true),
                "back on A, whose index was marked whole before B's batch: B's tweet-43 is known too");
    }

    /**
     * Versions until December 2026 kept a changelog record an event in the window store
     * {@code seen-events}: 16-byte hashes at first (whose first 8 bytes are today's hash), then 8-byte
     * ones. When a task starts, its entries go into a batch and the store is emptied; duplicates of
     * those events are still dropped, also after a later restart on another instance.
     */
    @Test
    void theStoreOfEarlierVersionsIsTakenUpIntoBatchesAndEmptied(@TempDir Path dir, @TempDir Path other) {
        long t0 = TopologyFixture.T0.toEpochMilli();
        byte[] tweet42 = SETTINGS.hasher().event("twitter", "tweet-42");
        byte[] legacy42 = ByteBuffer.allocate(16).put(tweet42).putLong(0x5eed).array();
        int[] left = new int[1];
        assertEquals(1, creditsAfterStart(dir, List.of(share("tweet-42"), share("tweet-43"), share("tweet-43"),
                share("tweet-44")), true, earlier -> {
                    earlier.put(Bytes.wrap(legacy42), new byte[] {1}, t0);
                    earlier.put(Bytes.wrap(SETTINGS.hasher().event("twitter", "tweet-44")), new byte[0], t0);
                }, earlier -> left[0] = count(earlier)),
                "tweet-42 (16-byte) and tweet-44 (8-byte) were seen by earlier versions; tweet-43 counts once");
        assertEquals(0, left[0], "the earlier store is empty once taken up");
        assertEquals(0, creditsAfterStart(other, List.of(share("tweet-42"), share("tweet-44")), true),
                "the taken-up hashes are in the batches: known on another instance too");
    }

    @Test
    void batchesHoldManyHashesAndExpireWithTheWindowButTheNewestIsKept(@TempDir Path dir) {
        List<SocialActivity> many = new ArrayList<>();
        for (int i = 0; i < SeenEvents.PER_BATCH + 10; i++) {
            many.add(share("tweet-" + i));
        }
        assertEquals(many.size(), creditsAfterStart(dir, many, true));
        assertEquals(List.of(0L, 1L), List.copyOf(changelog.keySet()), "two batches: one full, one with the rest");
        assertEquals(8 + SeenEvents.PER_BATCH * 12, changelog.get(0L).length, "a full batch: a base time, 12 bytes a hash");

        // past twice the window, batches 0 and 1 expire; batch 2 (this start's) holds the newest event
        long window = SETTINGS.dedupeWindow().toMillis();
        assertEquals(1, creditsAfterStart(dir, List.of(shareAt("late", 2 * window + 60_000)), true));
        assertEquals(List.of(2L), List.copyOf(changelog.keySet()), "the expired batches are removed");
        assertEquals(1, creditsAfterStart(dir, List.of(shareAt("later", 4 * window + 120_000)), true));
        assertEquals(List.of(3L), List.copyOf(changelog.keySet()), "numbers go on after every batch expired");
        assertEquals(1, creditsAfterStart(dir, List.of(share("tweet-0")), true),
                "an event out of the window counts again (after a restart, as before it)");
    }

    @Test
    void aRedeliveryLateByMostOfTheWindowIsDropped(@TempDir Path dir) {
        long window = SETTINGS.dedupeWindow().toMillis();
        assertEquals(2, creditsAfterStart(dir, List.of(share("tweet-42"), shareAt("tweet-43", window * 9 / 10),
                share("tweet-42")), true), "tweet-42 again, its own event time, when the stream is 0.9 of a window on");
        assertEquals(0, creditsAfterStart(dir, List.of(share("tweet-42"), shareAt("tweet-43", window * 9 / 10)), true),
                "and after a restart");
    }

    @Test
    void anEventSeenAgainAfterTheWindowIsKnownOnceItsFirstBatchExpires(@TempDir Path dir) {
        long window = SETTINGS.dedupeWindow().toMillis();
        assertEquals(1, creditsAfterStart(dir, List.of(share("tweet-1")), true));
        SocialActivity again = shareAt("tweet-1", 2 * window + 60_000);
        assertEquals(1, creditsAfterStart(dir, List.of(again, shareAt("tweet-1", 2 * window + 61_000)), true),
                "past the window it counts again, once: the first batch's expiry leaves the newer index entry");
        assertEquals(List.of(1L), List.copyOf(changelog.keySet()), "the first batch expired");
        assertEquals(0, creditsAfterStart(dir, List.of(shareAt("tweet-1", 2 * window + 62_000)), true));
    }

    @Test
    void withinOneRunTheExpiryOfAnOlderBatchLeavesTheEntryOfAnEventThatCameAgain(@TempDir Path dir) {
        // the batches of a run delete their hashes from the index without reading it, but for those
        // that came again past the window: here tweet-0 comes again while its first batch is still
        // kept, and that batch expires after the second one went into the index
        long window = SETTINGS.dedupeWindow().toMillis();
        List<SocialActivity> run = new ArrayList<>();
        for (int i = 0; i < SeenEvents.PER_BATCH; i++) { // batch 0, into the index when full; its newest at 0.6 windows
            run.add(shareAt("tweet-" + i, i == SeenEvents.PER_BATCH - 1 ? window * 6 / 10 : 0));
        }
        run.add(shareAt("tweet-0", window * 15 / 10)); // past the window of its first time: counts again
        for (int i = 1; i < SeenEvents.PER_BATCH; i++) { // batch 1 filled, into the index with tweet-0's new time
            run.add(shareAt("again-" + i, window * 15 / 10));
        }
        run.add(shareAt("tick", window * 17 / 10)); // batch 0 expires
        run.add(shareAt("tweet-0", window * 15 / 10 + 60_000)); // a duplicate of the second tweet-0
        run.add(shareAt("again-1", window * 15 / 10)); // and of another event of batch 1
        assertEquals(2 * SeenEvents.PER_BATCH + 1, creditsAfterStart(dir, run, false),
                "tweet-0 twice (a window apart) and every other event once; its redelivery and again-1's dropped");
        assertEquals(List.of(1L, 2L), List.copyOf(changelog.keySet()), "batch 0 expired within the run");
    }

    private static SocialActivity shareAt(String eventId, long afterT0) {
        return TopologyFixture.act("twitter", "2", ActivityType.SHARE, TopologyFixture.T0.plusMillis(afterT0))
                .setEventId(eventId).setTargetUserId("1").build();
    }

    private static int count(WindowStore<Bytes, byte[]> store) {
        int n = 0;
        try (KeyValueIterator<Windowed<Bytes>, byte[]> all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    private long creditsAfterStart(Path dir, List<SocialActivity> activities, boolean cleanClose) {
        return creditsAfterStart(dir, activities, cleanClose, earlier -> { }, earlier -> { });
    }

    /**
     * Starts the gate on {@code dir}'s stores with the batches of {@link #changelog} ({@code before} may
     * fill the earlier versions' store first), counts its credits and stops it, cleanly (the gate's
     * close) or not; {@code after} sees the earlier store before the stop.
     */
    @SuppressWarnings({"deprecation", "unchecked"})
    private long creditsAfterStart(Path dir, List<SocialActivity> activities, boolean cleanClose,
                                   Consumer<WindowStore<Bytes, byte[]>> before, Consumer<WindowStore<Bytes, byte[]>> after) {
        Properties props = StreamsProperties.of(S, SETTINGS);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedupe-restart");
        MockProcessorContext<String, Routed> context = new MockProcessorContext<>(props, new TaskId(0, 0), dir.toFile());
        KeyValueStore<Long, byte[]> batches = SeenEvents.batchesStore().withLoggingDisabled().build();
        WindowStore<Bytes, byte[]> earlier = SeenEvents.earlierStore(SETTINGS.dedupeWindow()).withLoggingDisabled().build();
        List<StateStore> stores = List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.ACCOUNT_CONSENTS), Serdes.String(),
                        InternalSerde.of(AccountConsent.class)).withLoggingDisabled().build(),
                batches,
                SeenEvents.indexStore().build(),
                earlier,
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.METRICS_BUFFER), Serdes.String(),
                        MetricsDeltasSerde.INSTANCE).withLoggingDisabled().build(),
                // empty: the target has no consent, so each credit goes to its account's partition
                Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.ACCOUNT_DIRECTORY), Serdes.String(),
                        Serdes.String()).withLoggingDisabled().build());
        for (StateStore store : stores) {
            context.addStateStore(store);
            store.init(context.getStateStoreContext(), store);
        }
        changelog.forEach(batches::put);
        try {
            before.accept(earlier);
            ConsentGate gate = new ConsentGate(SETTINGS);
            gate.init(context);
            long streamTime = 0;
            for (SocialActivity a : activities) {
                long time = a.getOccurredAt().toEpochMilli();
                streamTime = Math.max(streamTime, time);
                context.setCurrentStreamTimeMs(streamTime);
                context.setCurrentSystemTimeMs(streamTime); // live records: the gate asks for commits (LiveCommits)
                gate.process(new Record<>("twitter:" + a.getActorId(), a, time));
            }
            after.accept(earlier);
            if (cleanClose) {
                gate.close();
            }
            // what was committed: the batch store as the changelog would restore it
            changelog.clear();
            try (KeyValueIterator<Long, byte[]> all = batches.all()) {
                all.forEachRemaining(kv -> changelog.put(kv.key, kv.value));
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
