package io.socialcrm.segments;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.config.Settings;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A segment definition with its rules compiled. Without {@code exitWhen}, a member exits when
 * {@code enterWhen} is no longer true; with it, the two thresholds give hysteresis. A member stays
 * at least {@code minDwellMs} (0: no minimum) before an exit the rules call for. A live
 * {@code campaign} segment's entries give contact opportunities (a SHADOW one's never do).
 */
public record Segment(String id, int version, boolean enabled, Rule enter, Rule exit, long minDwellMs, boolean shadow,
                      boolean campaign) {
    /** What marks a SHADOW definition's key on segment-definitions, and its memberships in a customer's state. */
    public static final String SHADOW_SUFFIX = ":shadow";
    /** The two modes of a definition. */
    public static final String LIVE = "LIVE";
    public static final String SHADOW = "SHADOW";
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
        return new Segment(id, definition.getVersion(), definition.getEnabled(), enter, exit, minDwell(definition.getMinDwell(), what),
                shadow(definition, what), definition.getCampaign() && !isShadow(definition));
    }

    /** The key of a definition on segment-definitions: its id, or {@code <id>:shadow} for a SHADOW one. */
    public static String keyOf(SegmentDefinition definition) {
        return isShadow(definition) ? definition.getId() + SHADOW_SUFFIX : definition.getId();
    }

    /** Whether a definition is a SHADOW one (its {@code mode}; anything but LIVE and SHADOW is refused by {@link #compile}). */
    public static boolean isShadow(SegmentDefinition definition) {
        return SHADOW.equals(definition.getMode());
    }

    private static boolean shadow(SegmentDefinition definition, String what) {
        if (!LIVE.equals(definition.getMode()) && !SHADOW.equals(definition.getMode())) {
            throw new InvalidRuleException(what + " mode '" + definition.getMode() + "' is neither LIVE nor SHADOW");
        }
        return isShadow(definition);
    }

    /** This segment's key: its id, or {@code <id>:shadow}; memberships in a customer's state are kept under it. */
    public String key() {
        return shadow ? id + SHADOW_SUFFIX : id;
    }

    /** Whether a membership or definition key is a SHADOW one. */
    public static boolean isShadowKey(String key) {
        return key.endsWith(SHADOW_SUFFIX);
    }

    /** The segment id of a definition or membership key. */
    public static String idOf(String key) {
        return isShadowKey(key) ? key.substring(0, key.length() - SHADOW_SUFFIX.length()) : key;
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
