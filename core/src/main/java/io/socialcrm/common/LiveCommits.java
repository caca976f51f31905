package io.socialcrm.common;

import java.time.Duration;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Commits often while records are live, seldom while they are history. Under exactly-once what a
 * stage writes is read by the next stage (and by every reader of the outputs) only once its
 * transaction commits, so the commit interval is the latency of each stage; but every commit costs a
 * producer flush and a transaction over every partition written since the last one, and with an
 * interval short enough for live latency a backfill spends most of its time committing. With a
 * {@code commit.interval.ms} longer than {@code commit.live.interval} (for a backfill: the default is
 * 50 ms, the live interval itself, which leaves this off), a stage that processes records whose event
 * time is within {@code commit.live.lag} of the wall clock asks Kafka Streams
 * ({@link ProcessorContext#commit()}) to commit at least every {@code commit.live.interval}: at once
 * for a live record when the stream thread has neither asked nor committed within that interval,
 * and otherwise from a wall-clock punctuation, so the last live record of a burst waits one live interval at most.
 * A request commits every task of the thread, so the requests of all processors on one thread are
 * spaced together (one clock per thread). Off under at-least-once, where a record is read as soon
 * as it is written.
 *
 * <p>The interval runs from the end of the thread's last commit, as Kafka Streams' own
 * {@code commit.interval.ms} does, not from the last request: a commit can take longer than the live
 * interval (a transaction over every partition written, on a busy machine 100 ms and more), and
 * requests spaced from the request alone then asked again with the first record after each commit.
 * Kafka Streams halves the records a task processes between commits after each one, so the thread
 * ended up committing after every record or two: at 1,000 live activities/s on two cores it fell
 * behind by seconds. The end of a commit is seen as a change of the thread's commit count (Kafka
 * Streams' {@code commit-total} of the thread, {@code stream-thread-metrics}) at the next record or
 * punctuation after it. Where that count is not to be had (a processor run outside Kafka Streams),
 * requests are spaced from the last request only.
 */
public final class LiveCommits {
    /** The thread's commits as seen by the processors that run on it. */
    private static final ThreadLocal<ThreadClock> CLOCK = ThreadLocal.withInitial(ThreadClock::new);

    private final ProcessorContext<?, ?> context;
    private final long intervalMs;
    private final long lagMs;
    /** The thread's commit count (NaN when unknown); looked up at first use, on the stream thread. */
    private DoubleSupplier commits;
    /** When this processor last saw a live record (wall clock). */
    private long lastLive = Long.MIN_VALUE;

    /** What the processors of one stream thread know of its commits. */
    private static final class ThreadClock {
        /** When the thread last asked for a commit. */
        long lastRequest = Long.MIN_VALUE / 2;
        /** When the thread's last commit was first seen done (at the record or punctuation after it). */
        long lastCommit = Long.MIN_VALUE / 2;
        /** The commit count then; NaN before the first look. */
        double commitsSeen = Double.NaN;
    }

    private LiveCommits(ProcessorContext<?, ?> context, long intervalMs, long lagMs, DoubleSupplier commits) {
        this.context = context;
        this.intervalMs = intervalMs;
        this.lagMs = lagMs;
        this.commits = commits;
    }

    /** The live commits of the processor of {@code context}; call in {@code init}. Does nothing when they do not apply. */
    public static LiveCommits of(ProcessorContext<?, ?> context, TopologySettings settings) {
        return of(context, settings, null);
    }

    /** The same, the thread's commit count given ({@code null}: Kafka Streams' count of the current thread). */
    static LiveCommits of(ProcessorContext<?, ?> context, TopologySettings settings, DoubleSupplier commits) {
        Duration interval = settings.liveCommitInterval();
        Object commitMs = context.appConfigs().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        boolean applies = interval != null && BeforeCommit.exactlyOnce(context)
                && (commitMs == null || Long.parseLong(commitMs.toString()) > interval.toMillis());
        LiveCommits live = new LiveCommits(context, applies ? interval.toMillis() : 0, settings.liveLag().toMillis(), commits);
        if (applies) {
            context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, live::punctuate);
        }
        return live;
    }

    /** Forgets what the current thread knows of its commits (for tests, which run processors of many contexts on one thread). */
    static void forgetThread() {
        CLOCK.remove();
    }

    /** For each record processed: {@code eventTime} is its timestamp. */
    public void seen(long eventTime) {
        if (intervalMs == 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        if (!live(eventTime, now, lagMs)) {
            return; // history, or a backlog being caught up
        }
        lastLive = now;
        maybeRequest(now, false);
    }

    /** Whether a record of {@code eventTime} is live at wall-clock time {@code now}: within {@code lagMs} of it ({@code commit.live.lag}). */
    public static boolean live(long eventTime, long now, long lagMs) {
        return now - eventTime <= lagMs;
    }

    private void punctuate(long now) {
        maybeRequest(now, true);
    }

    /**
     * Asks for a commit when the thread has neither asked nor committed within the live interval;
     * from the punctuation only when a live record came since the thread last asked (one as it asked
     * is in that commit) and since its last commit. A request Kafka Streams passes over (a task with
     * nothing to commit) holds nothing back for longer than the interval.
     */
    private void maybeRequest(long now, boolean fromPunctuation) {
        ThreadClock clock = CLOCK.get();
        if (clock.lastRequest > now || clock.lastCommit > now) { // a clock set back: forget
            clock.lastRequest = Long.MIN_VALUE / 2;
            clock.lastCommit = Long.MIN_VALUE / 2;
            clock.commitsSeen = Double.NaN;
        }
        double count = commitCount();
        if (!Double.isNaN(count) && count != clock.commitsSeen) {
            if (!Double.isNaN(clock.commitsSeen)) {
                clock.lastCommit = now; // a commit ended since the last look
            }
            clock.commitsSeen = count;
        }
        if (fromPunctuation && (lastLive <= clock.lastRequest || lastLive < clock.lastCommit)) {
            return; // nothing live since the thread last asked, or since its last commit
        }
        if (now - clock.lastRequest >= intervalMs && now - clock.lastCommit >= intervalMs) {
            clock.lastRequest = now;
            context.commit();
        }
    }

    /** The thread's commit count, or NaN when it is not to be had. */
    private double commitCount() {
        if (commits == null) {
            commits = threadCommits(context);
        }
        return commits.getAsDouble();
    }

    /** Kafka Streams' count of the current stream thread's commits ({@code commit-total}), or a supplier of NaN. */
    private static DoubleSupplier threadCommits(ProcessorContext<?, ?> context) {
        String thread = Thread.currentThread().getName();
        for (Map.Entry<MetricName, ? extends Metric> e : context.metrics().metrics().entrySet()) {
            MetricName name = e.getKey();
            if ("commit-total".equals(name.name()) && "stream-thread-metrics".equals(name.group())
                    && thread.equals(name.tags().get("thread-id"))) {
                Metric metric = e.getValue();
                return () -> metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
            }
        }
        return () -> Double.NaN;
    }
}
