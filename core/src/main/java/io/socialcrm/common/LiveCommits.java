package io.socialcrm.common;

import java.time.Duration;
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
 * for a live record when the stream thread has not asked within that interval, and otherwise from a
 * wall-clock punctuation, so the last live record of a burst waits one live interval at most. A
 * request commits every task of the thread, so the requests of all processors on one thread are
 * spaced together (one clock per thread). Off under at-least-once, where a record is read as soon
 * as it is written.
 */
public final class LiveCommits {
    /** The thread's last request, shared by the processors that run on it. */
    private static final ThreadLocal<long[]> LAST_REQUEST = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE / 2});

    private final ProcessorContext<?, ?> context;
    private final long intervalMs;
    private final long lagMs;
    /** When this processor last saw a live record (wall clock). */
    private long lastLive = Long.MIN_VALUE;

    private LiveCommits(ProcessorContext<?, ?> context, long intervalMs, long lagMs) {
        this.context = context;
        this.intervalMs = intervalMs;
        this.lagMs = lagMs;
    }

    /** The live commits of the processor of {@code context}; call in {@code init}. Does nothing when they do not apply. */
    public static LiveCommits of(ProcessorContext<?, ?> context, TopologySettings settings) {
        Duration interval = settings.liveCommitInterval();
        Object commitMs = context.appConfigs().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        boolean applies = interval != null && BeforeCommit.exactlyOnce(context)
                && (commitMs == null || Long.parseLong(commitMs.toString()) > interval.toMillis());
        LiveCommits live = new LiveCommits(context, applies ? interval.toMillis() : 0, settings.liveLag().toMillis());
        if (applies) {
            context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, live::punctuate);
        }
        return live;
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
        if (now - lastRequest(now) >= intervalMs) {
            request(now);
        }
    }

    /** Whether a record of {@code eventTime} is live at wall-clock time {@code now}: within {@code lagMs} of it ({@code commit.live.lag}). */
    public static boolean live(long eventTime, long now, long lagMs) {
        return now - eventTime <= lagMs;
    }

    private void punctuate(long now) {
        if (lastLive > lastRequest(now)) { // a live record since the thread last asked (one as it asked is in that commit)
            request(now);
        }
    }

    /** The thread's last request; forgotten if it lies ahead of {@code now} (a clock set back). */
    private static long lastRequest(long now) {
        long[] last = LAST_REQUEST.get();
        if (last[0] > now) {
            last[0] = Long.MIN_VALUE / 2;
        }
        return last[0];
    }

    private void request(long now) {
        LAST_REQUEST.get()[0] = now;
        context.commit();
    }
}
