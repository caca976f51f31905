package io.socialcrm.metrics;

import io.socialcrm.errors.DeadLetterHandlers;
import io.socialcrm.segments.SegmentEvaluator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's own counters, exposed at {@code /metrics} beside Kafka Streams' metrics. They
 * count for the whole JVM (every stream thread and instance in it). No label holds personal data.
 */
public final class AppMetrics {
    public static final AtomicLong ACTIVITIES_SEEN = new AtomicLong();
    public static final AtomicLong ACTIVITIES_ACCEPTED = new AtomicLong();
    public static final AtomicLong ACTIVITIES_DROPPED_NO_CONSENT = new AtomicLong();
    public static final AtomicLong DUPLICATES_DROPPED = new AtomicLong();
    public static final AtomicLong SEGMENTS_ENTERED = new AtomicLong();
    public static final AtomicLong SEGMENTS_EXITED = new AtomicLong();
    public static final AtomicLong ERASURES_COMPLETED = new AtomicLong();

    private AppMetrics() {
    }

    public static void bindTo(MeterRegistry registry) {
        counter(registry, "socialcrm.activities.seen", "Activities read (duplicates excluded)", ACTIVITIES_SEEN);
        counter(registry, "socialcrm.activities.accepted", "Activities whose actor had ACTIVITY consent", ACTIVITIES_ACCEPTED);
        counter(registry, "socialcrm.activities.dropped.no.consent", "Activities dropped for lack of consent",
                ACTIVITIES_DROPPED_NO_CONSENT);
        counter(registry, "socialcrm.activities.duplicates", "Activities dropped as duplicates of an event id",
                DUPLICATES_DROPPED);
        counter(registry, "socialcrm.dead.letters", "Records sent to dead-letters", DeadLetterHandlers.DEAD_LETTERED);
        counter(registry, "socialcrm.segment.entered", "Customers that entered a segment", SEGMENTS_ENTERED);
        counter(registry, "socialcrm.segment.exited", "Customers that left a segment", SEGMENTS_EXITED);
        counter(registry, "socialcrm.segment.rule.errors", "Segment rule evaluations that failed", SegmentEvaluator.ERRORS);
        counter(registry, "socialcrm.erasures.completed", "Erasure requests completed", ERASURES_COMPLETED);
    }

    private static void counter(MeterRegistry registry, String name, String description, AtomicLong value) {
        FunctionCounter.builder(name, value, AtomicLong::doubleValue).description(description).register(registry);
    }
}
