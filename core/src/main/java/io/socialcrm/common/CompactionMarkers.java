package io.socialcrm.common;

import io.socialcrm.contract.Topics;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The compaction markers of a processor that writes compacted topics ({@link Topics#COMPACTION_MARKER_KEY}):
 * every quarter of {@code erasure.compaction.lag} of wall-clock time it deletes the marker key in
 * each of its changelogged stores and sends a tombstone of it to each compacted topic it writes
 * (to every partition of a topic: {@code SocialCrmTopology.EveryPartition}).
 *
 * <p>Why: Kafka rolls a partition's active segment only when a record is appended to it (once the
 * segment is older than {@code segment.ms}, or {@code max.compaction.lag.ms}, which the application
 * sets on its changelogs to the same lag), and the log cleaner never compacts the active segment.
 * An erasure's tombstones in a partition that nothing else is written to afterwards would
 * therefore never take the erased records away. With the markers, an erased record leaves the log
 * within about one and a quarter lags of its tombstone, plus a cleaner pass, however quiet the
 * partition.
 */
public final class CompactionMarkers {
    /** The key of the markers, in stores and on topics. */
    public static final String KEY = Topics.COMPACTION_MARKER_KEY;
    private static final Duration SHORTEST = Duration.ofMillis(250);

    private CompactionMarkers() {
    }

    /** How often a task appends its markers for a given {@code erasure.compaction.lag}. */
    public static Duration interval(Duration lag) {
        Duration quarter = lag.dividedBy(4);
        return quarter.compareTo(SHORTEST) < 0 ? SHORTEST : quarter;
    }

    /** Schedules {@code append} (given the wall-clock time) every {@link #interval} of wall-clock time. */
    public static void schedule(ProcessorContext<?, ?> context, TopologySettings settings, LongConsumer append) {
        context.schedule(interval(settings.compactionLag()), PunctuationType.WALL_CLOCK_TIME, append::accept);
    }
}
