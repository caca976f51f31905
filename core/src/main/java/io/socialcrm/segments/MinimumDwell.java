package io.socialcrm.segments;

import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.segments.SegmentEvaluator.Transition;
import java.time.Instant;

/**
 * A segment's {@code minDwell}: a member stays at least that long after entering. An exit the rules
 * call for earlier is held back, and the membership remembers since when it was due
 * ({@code exitDueSince}); the first evaluation at or past the minimum that still calls for it exits,
 * and its reason says it waited. Privacy never waits: a consent change (granted, narrowed or revoked
 * scopes, an account unlinked, a merge), an erasure, a disabled or deleted segment exit at once.
 */
public final class MinimumDwell {
    private MinimumDwell() {
    }

    /**
     * The transition to apply for a member of {@code segment} evaluated at {@code time}: {@code t}
     * itself, null while an exit is held back, or the exit with its wait in the reason. Updates the
     * membership's {@code exitDueSince}.
     */
    public static Transition apply(Segment segment, Membership member, Transition t, long time, boolean consentChanged) {
        if (t == null) {
            member.setExitDueSince(null); // the rules no longer call for an exit
            return null;
        }
        if (t.change() != MembershipChange.EXITED || !segment.enabled() || segment.minDwellMs() <= 0) {
            return t;
        }
        long stayUntil = member.getSince() + segment.minDwellMs();
        if (time < stayUntil) {
            if (!consentChanged) {
                if (member.getExitDueSince() == null) {
                    member.setExitDueSince(time);
                }
                return null;
            }
            return new Transition(t.segmentId(), t.change(), t.reason() + "; minDwell " + format(segment.minDwellMs())
                    + " does not hold an exit on a consent change", t.definitionVersion());
        }
        Long due = member.getExitDueSince();
        if (due == null || due >= stayUntil) {
            return t; // due only now: nothing waited
        }
        return new Transition(t.segmentId(), t.change(), t.reason() + "; held by minDwell " + format(segment.minDwellMs())
                + " (exit due since " + Instant.ofEpochMilli(due) + ", member since " + Instant.ofEpochMilli(member.getSince()) + ")",
                t.definitionVersion());
    }

    /** A duration as written in definitions: {@code 7d}, {@code 2h}, {@code 30m}, {@code 10s} or {@code 250ms}. */
    static String format(long ms) {
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }
}
