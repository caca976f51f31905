package io.socialcrm.common;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application instance's own counters, shown at {@code /metrics} beside Kafka Streams' metrics
 * (as {@code socialcrm_<name>_total}). Made with the instance's {@link TopologySettings} and handed to
 * every processor and error handler of that instance: two instances in one JVM count apart. No
 * counter has a label, so none can hold personal data.
 */
public final class AppCounters {
    /** What is counted, with its metric name and description. */
    public enum Counter {
        ACTIVITIES_SEEN("socialcrm.activities.seen", "Activities read (duplicates excluded)"),
        ACTIVITIES_ACCEPTED("socialcrm.activities.accepted", "Activities whose actor had ACTIVITY consent"),
        ACTIVITIES_DROPPED_NO_CONSENT("socialcrm.activities.dropped.no.consent", "Activities dropped for lack of consent"),
        DUPLICATES_DROPPED("socialcrm.activities.duplicates", "Activities dropped as duplicates of an event id"),
        DEAD_LETTERED("socialcrm.dead.letters", "Records sent to dead-letters"),
        SEGMENTS_ENTERED("socialcrm.segment.entered", "Customers that entered a segment"),
        SEGMENTS_EXITED("socialcrm.segment.exited", "Customers that left a segment"),
        RULE_ERRORS("socialcrm.segment.rule.errors", "Segment rule evaluations that failed"),
        ERASURES_COMPLETED("socialcrm.erasures.completed", "Erasure requests completed");

        private final String metricName;
        private final String description;

        Counter(String metricName, String description) {
            this.metricName = metricName;
            this.description = description;
        }

        public String metricName() {
            return metricName;
        }

        public String description() {
            return description;
        }
    }

    private final Map<Counter, AtomicLong> values = new EnumMap<>(Counter.class);

    public AppCounters() {
        for (Counter c : Counter.values()) {
            values.put(c, new AtomicLong());
        }
    }

    /** Adds one; returns the new count. */
    public long increment(Counter counter) {
        return values.get(counter).incrementAndGet();
    }

    public long get(Counter counter) {
        return values.get(counter).get();
    }
}
