package io.socialcrm.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.Credit;
import io.socialcrm.avro.internal.CreditBatch;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.DefinitionChanged;
import io.socialcrm.avro.internal.EventBatch;
import io.socialcrm.common.Names;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.generator.ActivityGenerator;
import io.socialcrm.segments.SegmentFile;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.testing.TopologyFixture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;

/**
 * Work per activity, counted, not timed: the production topology in the test driver over the
 * bench's kind of population (opt-in 0.6, ten activities per customer over 30 days, the built-in
 * segments), counting every record it writes, changelogs and repartition topics included. The test
 * driver commits after every record; a running application commits every {@code commit.interval.ms},
 * and a store's cache writes a key to its changelog once per commit however often it changed. So
 * changelog records are counted as a commit every {@link #ACTIVITIES_PER_COMMIT} activities would
 * write them (each key once per such batch), and so are {@code customer-profiles} (one record per customer and commit:
 * customers/ProfileOutbox), and every other record as it is. It also weighs the
 * customer state as stored (serialised, per customer). A change that adds work per event or bytes
 * per customer fails here, whatever the machine. The hops a task batches per target partition and
 * commit (customer-events; account-commands in a backfill: topology/PartitionBatches) are counted likewise, as
 * one record per target partition (of the default {@code topics.partitions}) a modelled commit wrote to.
 */
class WorkPerActivityTest {
    private static final int CUSTOMERS = 1_000;
    private static final int ACTIVITIES = 10_000;
    /**
     * Activities a task processes between two commits, as modelled here: at the 50 ms commit interval
     * that is 400 activities a second on one task (the default demo's rate); a faster stream, or a
     * backfill with a longer commit interval, coalesces more.
     */
    private static final int ACTIVITIES_PER_COMMIT = 20;
    /** The wall clock between two commits: what wall-clock punctuations (metrics flushes, sweeps) see. */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(50);
    /** The ceiling: what the topology writes now, with a little room; lower it as the work shrinks. */
    private static final double MAX_RECORDS_PER_ACTIVITY = Double.parseDouble(System.getProperty(
            "socialcrm.max.records.per.activity", "3.95"));
    /**
     * The same for a backfill (activity older than {@code commit.live.lag}), whose credits to accounts
     * without a directory entry travel in batches ({@code credits.batched=backfill}).
     */
    private static final double MAX_RECORDS_PER_BACKFILLED_ACTIVITY = Double.parseDouble(System.getProperty(
            "socialcrm.max.records.per.backfilled.activity", "3.55"));
    private static final double MAX_PROFILES_PER_ACTIVITY = 0.7;
    /** {@code commit.live.lag} by default: credits of activity older than that travel in batches. */
    private static final long LIVE_LAG_MS = Settings.parseDuration(AppConfig.LIVE_LAG.defaultValue()).toMillis();
    /** The partitions a running application's topics have by default: what a batched hop writes per commit at most. */
    private static final int PARTITIONS = Integer.parseInt(AppConfig.TOPICS_PARTITIONS.defaultValue());
    /** Customer state as stored (serialised, before RocksDB's compression), on average per customer. */
    private static final double MAX_STATE_BYTES_PER_CUSTOMER = 410;

    @Test
    void recordsWrittenPerLiveActivityStayUnderTheCeiling() {
        // the driver's wall clock starts at T0: activity from T0 on is live
        measure(TopologyFixture.T0, MAX_RECORDS_PER_ACTIVITY);
    }

    @Test
    void recordsWrittenPerBackfilledActivityStayUnderTheCeiling() {
        // the same month of activity, two months before the wall clock
        measure(TopologyFixture.T0.minus(Duration.ofDays(60)), MAX_RECORDS_PER_BACKFILLED_ACTIVITY);
    }

    private static void measure(Instant start, double ceiling) {
        Map<String, Long> written = new TreeMap<>();
        long activities;
        double stateBytes;
        long[] twiceInOneCommit = new long[1];
        try (TopologyFixture fx = new TopologyFixture()) {
            Written commits = new Written(fx);
            SegmentFile.builtIn().forEach(d -> fx.definitions.pipeInput(d.getId(), d, TopologyFixture.T0));
            ActivityGenerator generator = ActivityGenerator.create(CUSTOMERS, 0.6, 7, Taxonomy.builtIn());
            Piped sink = new Piped(fx, commits);
            generator.initial(start, sink);
            commits.commit(new TreeMap<>()); // definitions, consents and profiles: set-up, not work per activity
            commits.profilesTwiceInOneCommit = 0; // read in one go, over the set-up's many commits
            long step = Duration.ofDays(30).toMillis() / ACTIVITIES;
            for (long i = 0; sink.activities < ACTIVITIES; i++) {
                long before = sink.activities;
                generator.next(start.plusMillis(i * step), sink);
                if (sink.activities > before && sink.activities % ACTIVITIES_PER_COMMIT == 0) {
                    commits.commit(written);
                    fx.advanceWallClock(COMMIT_INTERVAL);
                    commits.wallClockMs += COMMIT_INTERVAL.toMillis();
                    commits.read(); // what the punctuations wrote: the driver commits after them too
                }
            }
            commits.commit(written);
            activities = sink.activities;
            twiceInOneCommit[0] = commits.profilesTwiceInOneCommit;
            stateBytes = stateBytesPerCustomer(fx);
        }
        long total = written.values().stream().mapToLong(Long::longValue).sum();
        double perActivity = (double) total / activities;
        StringBuilder breakdown = new StringBuilder();
        written.forEach((topic, count) -> breakdown.append(String.format("%n  %-60s %.3f", topic, (double) count / activities)));
        System.out.printf("records written per activity: %.3f%s%n", perActivity, breakdown);
        assertTrue(perActivity <= ceiling, String.format(
                "%.3f records written per activity, more than %.2f:%s", perActivity, ceiling, breakdown));
        assertEquals(0, twiceInOneCommit[0], "customers with more than one profile written in one commit of the driver");
        long profiles = written.entrySet().stream().filter(e -> e.getKey().endsWith("customer-profiles"))
                .mapToLong(Map.Entry::getValue).sum();
        assertTrue((double) profiles / activities <= MAX_PROFILES_PER_ACTIVITY,
                profiles + " profiles emitted for " + activities + " activities");
        System.out.printf("customer state: %.0f bytes per customer%n", stateBytes);
        assertTrue(stateBytes <= MAX_STATE_BYTES_PER_CUSTOMER, String.format(
                "%.0f bytes of customer state per customer, more than %.0f", stateBytes, MAX_STATE_BYTES_PER_CUSTOMER));
    }

    private static double stateBytesPerCustomer(TopologyFixture fx) {
        var serializer = InternalSerde.of(CustomerState.class).serializer();
        long customers = 0;
        long bytes = 0;
        try (var all = fx.customerState().all()) {
            while (all.hasNext()) {
                var kv = all.next();
                customers++;
                bytes += kv.key.length() + serializer.serialize("customer-state", kv.value).length;
            }
        }
        return customers == 0 ? 0 : (double) bytes / customers;
    }

    /** What the topology wrote since the last modelled commit: records by topic, and the changelogs' keys. */
    private static final class Written {
        private final TopologyFixture fx;
        private final Map<String, TestOutputTopic<byte[], byte[]>> topics = new HashMap<>();
        private final Map<String, Long> records = new TreeMap<>();
        private final Map<String, Set<ByteBuffer>> changelogKeys = new TreeMap<>();
        private final Map<String, Set<Integer>> batchedPartitions = new TreeMap<>();
        /** Customers written to customer-profiles more than once between two reads (the driver commits after each input). */
        long profilesTwiceInOneCommit;
        /** The driver's wall clock (it starts at T0). */
        long wallClockMs = TopologyFixture.T0.toEpochMilli();

        Written(TopologyFixture fx) {
            this.fx = fx;
        }

        /** Takes in, and so empties, every topic the driver has seen written to. */
        void read() {
            Set<ByteBuffer> profiled = new HashSet<>();
            for (String topic : fx.driver.producedTopicNames()) {
                var output = topics.computeIfAbsent(topic,
                        t -> fx.driver.createOutputTopic(t, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
                for (var record : output.readRecordsToList()) {
                    boolean backfill = wallClockMs - record.timestamp() > LIVE_LAG_MS;
                    List<String> batchable = batchedKeys(topic, record.key(), record.value(), backfill);
                    if (topic.endsWith("customer-profiles") && !profiled.add(ByteBuffer.wrap(record.key()))) {
                        profilesTwiceInOneCommit++;
                    }
                    if (topic.endsWith("-changelog") || topic.endsWith("customer-profiles")) {
                        changelogKeys.computeIfAbsent(topic, t -> new HashSet<>()).add(ByteBuffer.wrap(record.key()));
                    } else if (batchable != null) {
                        Set<Integer> partitions = batchedPartitions.computeIfAbsent(topic, t -> new HashSet<>());
                        batchable.forEach(key -> partitions.add(partitionOf(key)));
                    } else {
                        records.merge(topic, 1L, Long::sum);
                    }
                }
            }
        }

        /** A commit: adds what was written since the last one to {@code counts}, a changelog's key once. */
        void commit(Map<String, Long> counts) {
            read();
            records.forEach((topic, n) -> counts.merge(topic, n, Long::sum));
            changelogKeys.forEach((topic, keys) -> counts.merge(topic, (long) keys.size(), Long::sum));
            batchedPartitions.forEach((topic, partitions) -> counts.merge(topic, (long) partitions.size(), Long::sum));
            records.clear();
            changelogKeys.clear();
            batchedPartitions.clear();
        }

        /** The keys of the events a record of a batched hop carries, or null for a record that goes alone. */
        private static List<String> batchedKeys(String topic, byte[] key, byte[] value, boolean backfill) {
            if (topic.endsWith("-" + Names.ACCOUNT_COMMANDS + "-repartition")) { // by default only those of a backfill
                Object command = InternalSerde.of(AccountCommand.class).deserialize(topic, value).getCommand();
                if (command instanceof CreditBatch batch) {
                    return batch.getCredits().stream().map(c -> c.getAccountKey().toString()).toList();
                }
                // a live credit goes alone; an older one alone only as a batch of one
                return backfill && command instanceof Credit ? List.of(new String(key, StandardCharsets.UTF_8)) : null;
            }
            if (topic.endsWith("-" + Names.CUSTOMER_EVENTS + "-repartition")) {
                Object event = InternalSerde.of(CustomerEvent.class).deserialize(topic, value).getEvent();
                if (event instanceof EventBatch batch) {
                    return batch.getEvents().stream().map(e -> e.getCustomerId().toString()).toList();
                }
                return event instanceof DefinitionChanged ? null : List.of(new String(key, StandardCharsets.UTF_8));
            }
            return null;
        }

        private static int partitionOf(String key) {
            return PartitionBatches.partitionOf(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
        }
    }

    private static final class Piped implements ActivityGenerator.Sink {
        private final TopologyFixture fx;
        private final Written written;
        long activities;

        Piped(TopologyFixture fx, Written written) {
            this.fx = fx;
            this.written = written;
        }

        @Override
        public void activity(SocialActivity a) {
            fx.pipe(a);
            written.read(); // what the driver's commit after this activity wrote
            activities++;
        }

        @Override
        public void consent(ConsentRecord c) {
            fx.consents.pipeInput(c.getPlatform() + ":" + c.getPlatformUserId(), c, c.getRecordedAt());
        }

        @Override
        public void profile(ProfileSnapshot p) {
            fx.profiles.pipeInput(p.getPlatform() + ":" + p.getPlatformUserId(), p, p.getFetchedAt());
        }
    }
}
