package io.socialcrm.segments;

import io.socialcrm.avro.SegmentDefinition;
import java.util.regex.Pattern;

/**
 * A segment definition with its rules compiled. Without {@code exitWhen}, a member exits when
 * {@code enterWhen} is no longer true; with it, the two thresholds give hysteresis.
 */
public record Segment(String id, int version, boolean enabled, Rule enter, Rule exit) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,99}");

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
        return new Segment(id, definition.getVersion(), definition.getEnabled(), enter, exit);
    }
}
