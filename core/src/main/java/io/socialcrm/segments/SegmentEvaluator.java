package io.socialcrm.segments;

import dev.cel.runtime.CelEvaluationException;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.common.AppCounters;
import io.socialcrm.common.AppCounters.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides segment transitions, with hysteresis, and words their reasons. */
public final class SegmentEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentEvaluator.class);
    private final AppCounters counters;

    /** Counts evaluations that fail (a rule reading a missing map key, say) in {@code counters}. */
    public SegmentEvaluator(AppCounters counters) {
        this.counters = counters;
    }

    /** A customer entering or leaving a segment (by its key: a SHADOW segment's is {@code <id>:shadow}), and why. */
    public record Transition(String segmentId, MembershipChange change, String reason, int definitionVersion) {
    }

    /**
     * The transition of one customer for one segment, or null when membership stays as it is. A rule
     * that fails to evaluate counts as false for entering and does not make a member exit.
     */
    public Transition evaluate(Segment segment, ProfileView view, boolean member) {
        if (!segment.enabled()) {
            return member ? new Transition(segment.key(), MembershipChange.EXITED, "segment disabled (v" + segment.version() + ")",
                    segment.version()) : null;
        }
        if (!member) {
            if (test(segment, segment.enter(), view, false)) {
                return new Transition(segment.key(), MembershipChange.ENTERED,
                        "enterWhen (" + segment.enter().source() + ") is true: " + segment.enter().values(view), segment.version());
            }
            return null;
        }
        if (segment.exit() != null) {
            if (test(segment, segment.exit(), view, false)) {
                return new Transition(segment.key(), MembershipChange.EXITED,
                        "exitWhen (" + segment.exit().source() + ") is true: " + segment.exit().values(view), segment.version());
            }
            return null;
        }
        if (!test(segment, segment.enter(), view, true)) {
            return new Transition(segment.key(), MembershipChange.EXITED,
                    "enterWhen (" + segment.enter().source() + ") is no longer true: " + segment.enter().values(view),
                    segment.version());
        }
        return null;
    }

    private boolean test(Segment segment, Rule rule, ProfileView view, boolean onError) {
        try {
            return rule.test(view);
        } catch (CelEvaluationException e) {
            if (counters.increment(Counter.RULE_ERRORS) % 1000 == 1) {
                LOG.warn("Segment '{}' v{}: rule ({}) failed to evaluate ({}); counted as {} (logged once per 1000 failures)",
                        segment.id(), segment.version(), rule.source(), e.getMessage(), onError);
            }
            return onError;
        }
    }
}
