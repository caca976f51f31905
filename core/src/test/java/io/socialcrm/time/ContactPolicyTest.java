package io.socialcrm.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ContactPolicyTest {
    /** A Monday, 09:00 UTC: hour of the week 9. */
    private static final long MONDAY_9 = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000L;

    private static ContactPolicy policy(String quiet) {
        return ContactPolicy.of(quiet, ZoneOffset.UTC, Duration.ofDays(1));
    }

    @Test
    void quietHoursAreParsedOrRefusedWithWhatToWrite() {
        assertTrue(policy("22:00-08:00").quiet(MONDAY_9 - 10 * HOUR)); // 23:00
        assertFalse(policy("22:00-08:00").quiet(MONDAY_9));
        assertTrue(policy("1-5").quiet(MONDAY_9 - 6 * HOUR)); // 03:00
        assertFalse(policy("none").quiet(MONDAY_9 - 6 * HOUR));
        assertFalse(policy("").quiet(MONDAY_9 - 6 * HOUR));
        for (String bad : new String[] {"22:30-08:00", "late", "25-3", "8-8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy(bad));
            assertTrue(e.getMessage().contains("22:00-08:00"), e.getMessage());
        }
    }

    @Test
    void theHourNowRunningIsChosenWhileHalfOfItIsLeft() {
        double[] hours = new double[168];
        hours[9] = 3;
        ContactPolicy.Moment soon = policy("none").choose(hours, MONDAY_9 + 20 * 60_000L, null);
        assertEquals(MONDAY_9 + 20 * 60_000L, soon.contactAt(), "within the hour: now");
        assertEquals(MONDAY_9 + HOUR, soon.expiresAt());
        ContactPolicy.Moment late = policy("none").choose(hours, MONDAY_9 + 40 * 60_000L, null);
        assertEquals(MONDAY_9 + 168 * HOUR, late.contactAt(), "too far into it: the same hour next week");
    }

    @Test
    void withoutARhythmTheFirstHourOutsideTheQuietOnesWithNoConfidence() {
        long night = MONDAY_9 - 8 * HOUR; // Monday 01:00
        ContactPolicy.Moment m = policy("22:00-08:00").choose(new double[168], night, null);
        assertEquals(MONDAY_9 - HOUR, m.contactAt(), "08:00, the end of the quiet hours");
        assertEquals(0.0, m.confidence());
    }

    @Test
    void theLastContactPlusTheIntervalComesFirst() {
        double[] hours = new double[168];
        hours[14] = 5; // Monday 14:00
        hours[15 + 24] = 1; // Tuesday 15:00
        ContactPolicy.Moment m = policy("none").choose(hours, MONDAY_9, MONDAY_9 + 5 * HOUR - 7 * 24 * HOUR + HOUR);
        assertEquals(MONDAY_9 + 5 * HOUR, m.contactAt(), "last week's contact is over a day ago: today 14:00");
        ContactPolicy.Moment held = policy("none").choose(hours, MONDAY_9, MONDAY_9 - HOUR);
        assertEquals(MONDAY_9 + 7 * 24 * HOUR + 5 * HOUR, held.contactAt(), "a contact an hour ago: next Monday's 14:00 (the peak)");
    }

    @Test
    void confidenceGrowsWithHowPeakedAndHowWellSeenTheRhythmIs() {
        double[] flat = new double[168];
        java.util.Arrays.fill(flat, 1);
        double[] peaked = new double[168];
        peaked[14] = 40;
        peaked[15] = 2;
        double[] fewPeaked = new double[168];
        fewPeaked[14] = 1;
        assertEquals(0.0, ContactPolicy.confidence(flat, 14), 1e-9, "an even spread says nothing");
        assertTrue(ContactPolicy.confidence(peaked, 14) > 0.8, "" + ContactPolicy.confidence(peaked, 14));
        assertTrue(ContactPolicy.confidence(peaked, 15) < 0.1, "a weak hour of a peaked rhythm");
        assertTrue(ContactPolicy.confidence(fewPeaked, 14) < 0.2, "one post is not a rhythm");
    }
}
