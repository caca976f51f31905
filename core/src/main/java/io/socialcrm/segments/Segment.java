package io.socialcrm.segments;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.config.Settings;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A segment definition with its rules compiled. Without {@code exitWhen}, a member exits when
 * {@code enterWhen} is no longer true; with it, the two thresholds give hysteresis. A member stays
 * at least {@code minDwellMs} (0: no minimum) before an exit the rules call for.
 */
public record Segment(String id, int version, boolean enabled, Rule enter, Rule exit, long minDwellMs) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,99}");
    /** The longest minimum dwell accepted: a year. */
    static final Duration MAX_DWELL = Duration.ofDays(366);

    /** Compiles a definition; {@link InvalidRuleException} names the segment, version and expression at fault. */
    public static Segment compile(SegmentDefinition definition) {
        String id = definition.getId();
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidRuleException("segment id '" + id + "' is invalid: use 1-100 lower-case letters, digits and '-'");
        }
        String what = "segment '" + id + "' v" + definition.getVersion();
        Rule enter = SegmentLanguage.compile(definition.getEnterWhen(), what + " enterWhen");
        String exitWhen = definition.getExitWhen();
        Rule exit = exitWhen == null || exitWhen.isBlank() ? null : SegmentLanguage.compile(exitWhen, what + " exitWhen");
        return new Segment(id, definition.getVersion(), definition.getEnabled(), enter, exit, minDwell(definition.getMinDwell(), what));
    }

    private static long minDwell(String raw, String what) {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        Duration d = Settings.parseDuration(raw);
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_DWELL) > 0) {
            throw new InvalidRuleException(what + " minDwell '" + raw + "' is not a duration between 1ms and 366d (write e.g. 2h, 7d or PT30M)");
        }
        return d.toMillis();
    }
}
