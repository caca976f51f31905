package io.socialcrm.segments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The figures a segment change's reason quotes ({@code influence.score=93.1}): three decimals without
 * trailing zeros, the same text as before they were formatted without regular expressions (the
 * reasons are on segment-changes; a replay must give the same).
 */
class RuleFormatTest {
    /** How earlier versions wrote a figure. */
    private static String before(Object value) {
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return String.valueOf(value);
    }

    @Test
    void figuresReadAsBefore() {
        List<Object> values = new ArrayList<>(List.of(0.0, -0.0, 2.4, 3.0, 100.0, 10.5, 0.0004, 0.0005, 1.2345, -7.25, 93.1,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e12, 12L, true, "x"));
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            double d = switch (i % 4) {
                case 0 -> random.nextInt(2_000) / 10.0;
                case 1 -> random.nextDouble() * 100;
                case 2 -> Math.round(random.nextGaussian() * 1_000) / 1_000.0;
                default -> random.nextInt(100);
            };
            values.add(d);
        }
        for (Object value : values) {
            assertEquals(before(value), Rule.format(value), String.valueOf(value));
        }
        assertEquals("2.4", Rule.format(2.4));
        assertEquals("3", Rule.format(3.0));
        assertEquals("100", Rule.format(100.0));
        assertEquals("0", Rule.format(0.0));
    }
}
