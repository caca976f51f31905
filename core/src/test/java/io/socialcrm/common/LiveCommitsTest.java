package io.socialcrm.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.internals.metrics.StreamsMetricsImpl;
import org.apache.kafka.streams.processor.internals.metrics.ThreadMetrics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Under exactly-once a stage's output is read only once its transaction commits: live records get a
 * commit within {@code commit.live.interval}, history waits for {@code commit.interval.ms}.
 */
class LiveCommitsTest {
    private static final long NOW = 1_800_000_000_000L;

    private static TopologySettings settings(Map<String, String> extra) {
        Map<String, String> given = new HashMap<>(Map.of("bootstrap.servers", "localhost:9092",
                "schema.registry.url", "mock://live", "engagers.salt", "salt-0123456789abcdef"));
        given.putAll(extra);
        return TopologySettings.from(Settings.layered(AppConfig.defaults(), null, Map.of(), given), 1);
    }

    private static MockProcessorContext<String, Routed> context(String guarantee, String commitMs) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "live");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
        MockProcessorContext<String, Routed> context = new MockProcessorContext<>(props);
        context.setCurrentSystemTimeMs(NOW);
        return context;
    }

    @BeforeEach
    void newThread() {
        LiveCommits.forgetThread();
    }

    @Test
    void aLiveRecordIsCommittedAtOnceAndTheRestOfABurstWithinTheLiveInterval() {
        MockProcessorContext<String, Routed> context = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        LiveCommits live = LiveCommits.of(context, settings(Map.of()));
        assertEquals(1, context.scheduledPunctuators().size());
        assertEquals(Duration.ofMillis(50), context.scheduledPunctuators().get(0).getInterval());

        live.seen(NOW - 2_000); // two seconds old: live
        assertTrue(context.committed(), "the first live record asks for a commit at once");
        context.resetCommit();

        context.setCurrentSystemTimeMs(NOW + 10);
        live.seen(NOW + 5);
        assertFalse(context.committed(), "not again within the live interval");

        context.setCurrentSystemTimeMs(NOW + 50);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + 50);
        assertTrue(context.committed(), "the punctuation commits the rest of the burst");
        context.resetCommit();

        context.setCurrentSystemTimeMs(NOW + 100);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + 100);
        assertFalse(context.committed(), "nothing live since: no commit asked for");
    }

    @Test
    void historyAndBacklogsWaitForTheCommitInterval() {
        MockProcessorContext<String, Routed> context = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        LiveCommits live = LiveCommits.of(context, settings(Map.of()));
        live.seen(NOW - Duration.ofDays(200).toMillis()); // a backfill
        live.seen(NOW - 31_000); // a backlog, just beyond commit.live.lag
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + 50);
        assertFalse(context.committed());
    }

    @Test
    void theProcessorsOfOneThreadShareOneClock() {
        MockProcessorContext<String, Routed> gate = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        MockProcessorContext<String, Routed> customers = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        gate.setCurrentSystemTimeMs(NOW + 10_000);
        customers.setCurrentSystemTimeMs(NOW + 10_000);
        LiveCommits first = LiveCommits.of(gate, settings(Map.of()));
        LiveCommits second = LiveCommits.of(customers, settings(Map.of()));
        first.seen(NOW + 10_000);
        assertTrue(gate.committed());
        customers.setCurrentSystemTimeMs(NOW + 10_020);
        second.seen(NOW + 10_020);
        assertFalse(customers.committed(), "a commit of the thread commits every task: one request per interval");
    }

    @Test
    void offUnderAtLeastOnceWhenSwitchedOffOrWhenCommitsAreFrequentAnyway() {
        for (MockProcessorContext<String, Routed> context : List.of(
                context(StreamsConfig.AT_LEAST_ONCE, "500"), context(StreamsConfig.EXACTLY_ONCE_V2, "50"))) {
            LiveCommits live = LiveCommits.of(context, settings(Map.of()));
            live.seen(NOW);
            assertFalse(context.committed());
            assertEquals(0, context.scheduledPunctuators().size());
        }
        MockProcessorContext<String, Routed> off = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        LiveCommits live = LiveCommits.of(off, settings(Map.of(AppConfig.LIVE_COMMIT_INTERVAL.name(), "off")));
        live.seen(NOW);
        assertFalse(off.committed());
        assertEquals(0, off.scheduledPunctuators().size());
    }

    /** A live record at wall-clock time {@code t}: whether it asked for a commit. */
    private static boolean liveRecordAsks(MockProcessorContext<String, Routed> context, LiveCommits live, long t) {
        return asksAt(context, t, () -> live.seen(t));
    }

    /** The punctuation at wall-clock time {@code t}: whether it asked for a commit. */
    private static boolean punctuationAsks(MockProcessorContext<String, Routed> context, long t) {
        return asksAt(context, t, () -> context.scheduledPunctuators().get(0).getPunctuator().punctuate(t));
    }

    /** {@code step} at wall-clock time {@code t}: whether it asked for a commit (the mock's flag is reset after). */
    private static boolean asksAt(MockProcessorContext<String, Routed> context, long t, Runnable step) {
        context.setCurrentSystemTimeMs(t);
        step.run();
        boolean asked = context.committed();
        context.resetCommit();
        return asked;
    }

    @Test
    void theLiveIntervalRunsFromTheEndOfTheLastCommitNotFromTheRequest() {
        MockProcessorContext<String, Routed> context = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        double[] commits = {7};
        LiveCommits live = LiveCommits.of(context, settings(Map.of()), () -> commits[0]);
        long t = NOW + 20_000;
        assertTrue(liveRecordAsks(context, live, t), "the first live record asks at once");
        assertFalse(liveRecordAsks(context, live, t + 40), "not again within the live interval");
        // the commit asked for takes 120 ms, more than the live interval
        commits[0] = 8;
        assertFalse(liveRecordAsks(context, live, t + 180), "the first record after a commit does not ask for the next one at once");
        assertFalse(liveRecordAsks(context, live, t + 200));
        assertTrue(liveRecordAsks(context, live, t + 230), "a live interval after the commit was seen done");

        // a commit of Kafka Streams' own interval counts as well
        commits[0] = 10;
        assertFalse(liveRecordAsks(context, live, t + 300));
        assertFalse(punctuationAsks(context, t + 349));
        assertTrue(punctuationAsks(context, t + 350), "the punctuation asks for the rest of the burst, a live interval after the last commit");
    }

    @Test
    void thePunctuationDoesNotAskForARecordACommitHasTakenAlready() {
        MockProcessorContext<String, Routed> context = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        double[] commits = {3};
        LiveCommits live = LiveCommits.of(context, settings(Map.of()), () -> commits[0]);
        long t = NOW + 40_000;
        assertTrue(liveRecordAsks(context, live, t));
        assertFalse(liveRecordAsks(context, live, t + 10));
        commits[0] = 4; // the commit asked for takes both records
        assertFalse(punctuationAsks(context, t + 100), "nothing live since that commit");
        assertFalse(punctuationAsks(context, t + 200));
        assertTrue(liveRecordAsks(context, live, t + 210));
    }

    @Test
    void theThreadsCommitsAreKafkaStreamsOwnCountOfTheThread() {
        MockProcessorContext<String, Routed> context = context(StreamsConfig.EXACTLY_ONCE_V2, "500");
        // the sensor the stream thread records each commit with, under its own name, in the context's metrics
        Sensor commits = ThreadMetrics.commitSensor(Thread.currentThread().getName(), (StreamsMetricsImpl) context.metrics());
        LiveCommits live = LiveCommits.of(context, settings(Map.of()));
        long t = NOW + 60_000;
        assertTrue(liveRecordAsks(context, live, t));
        assertFalse(liveRecordAsks(context, live, t + 40));
        commits.record(120, t + 150); // the commit asked for, 120 ms long
        assertFalse(liveRecordAsks(context, live, t + 160), "done now: the next request a live interval later");
        assertTrue(liveRecordAsks(context, live, t + 210));
    }
}
