package io.socialcrm.time;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When to contact a customer: the next occurrence of the strongest hour of their activity rhythm
 * (168 weights, one per hour of the week, UTC, Monday 00:00 first) that is not in the quiet hours,
 * and not before the last contact plus the minimum interval.
 *
 * <p>Quiet hours are whole local hours in a time zone ({@code 22:00-08:00}: from 22:00 up to 08:00),
 * so a daylight-saving change moves them with the clocks. The hour now running counts as an
 * occurrence while at least half of it is left ({@link #LATEST_START_IN_HOUR}).
 *
 * @param quietFrom   first quiet local hour (0-23), or -1 for no quiet hours
 * @param quietTo     first local hour after the quiet ones (0-23)
 * @param zone        the zone the quiet hours are read in
 * @param minInterval least time between two contacts of one customer
 */
public record ContactPolicy(int quietFrom, int quietTo, ZoneId zone, Duration minInterval) {
    static final long HOUR_MS = 3_600_000L;
    static final int HOURS_OF_WEEK = 168;
    /** The hour now running is still chosen when no more than this much of it has gone. */
    static final long LATEST_START_IN_HOUR = 30 * 60_000L;
    /** Observations at which the confidence is shrunk by half (n / (n + EVIDENCE_HALF)). */
    static final double EVIDENCE_HALF = 5.0;
    private static final Pattern QUIET = Pattern.compile("(\\d{1,2})(?::00)?\\s*-\\s*(\\d{1,2})(?::00)?");

    public ContactPolicy {
        if (quietFrom < -1 || quietFrom > 23 || quietTo < 0 || quietTo > 23 || quietFrom == quietTo) {
            throw new IllegalArgumentException("quiet hours " + quietFrom + "-" + quietTo + " are not two different hours 0-23");
        }
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("the minimum interval between contacts is negative");
        }
    }

    /**
     * Parses {@code contact.quiet.hours}: {@code HH:00-HH:00} (or {@code H-H}), or {@code none}/empty.
     *
     * @throws IllegalArgumentException with what to write instead
     */
    public static ContactPolicy of(String quietHours, ZoneId zone, Duration minInterval) {
        String q = quietHours == null ? "" : quietHours.trim();
        if (q.isEmpty() || q.equalsIgnoreCase("none")) {
            return new ContactPolicy(-1, 0, zone, minInterval);
        }
        Matcher m = QUIET.matcher(q);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + quietHours + "' is not a range of whole hours: write e.g. 22:00-08:00, or none");
        }
        int from = Integer.parseInt(m.group(1));
        int to = Integer.parseInt(m.group(2)) % 24; // 24:00 is midnight
        if (from > 23 || from == to) {
            throw new IllegalArgumentException("'" + quietHours + "' is not a range of whole hours: write e.g. 22:00-08:00, or none");
        }
        return new ContactPolicy(from, to, zone, minInterval);
    }

    /** 0-167, UTC, Monday 00:00 = 0. */
    public static int hourOfWeek(long time) {
        ZonedDateTime t = Instant.ofEpochMilli(time).atZone(ZoneOffset.UTC);
        return (t.getDayOfWeek().getValue() - 1) * 24 + t.getHour();
    }

    /** Whether the hour starting at {@code hourStart} is (locally) quiet. */
    public boolean quiet(long hourStart) {
        if (quietFrom < 0) {
            return false;
        }
        int local = Instant.ofEpochMilli(hourStart).atZone(zone).getHour();
        return quietFrom < quietTo ? local >= quietFrom && local < quietTo : local >= quietFrom || local < quietTo;
    }

    /** The moment chosen: its start, the end of its hour, the hour of the week and how much to trust it. */
    public record Moment(long contactAt, long expiresAt, int hourOfWeek, double confidence) {
    }

    /**
     * The moment to contact a customer with this activity rhythm, at or after {@code now} and after
     * the last contact plus the minimum interval: the strongest hour (ties: the soonest) among the
     * next week's hours that are not quiet. Without a rhythm (all weights 0), the first hour that is
     * not quiet, with confidence 0.
     *
     * @param hours         168 weights (decayed counts of activity) by hour of the week
     * @param lastContactAt the last contact's time, or null
     */
    public Moment choose(double[] hours, long now, Long lastContactAt) {
        long earliest = lastContactAt == null ? now : Math.max(now, lastContactAt + minInterval.toMillis());
        long first = Math.floorDiv(earliest, HOUR_MS) * HOUR_MS;
        long bestStart = -1;
        double bestWeight = -1;
        for (int k = 0; k <= HOURS_OF_WEEK; k++) { // one more than a week: the running hour may be too far gone
            long start = first + k * HOUR_MS;
            if (earliest - start > LATEST_START_IN_HOUR || quiet(start)) {
                continue;
            }
            double w = hours[hourOfWeek(start)];
            if (w > bestWeight) {
                bestWeight = w;
                bestStart = start;
            }
        }
        if (bestStart < 0) {
            throw new IllegalStateException("no hour of the week is outside the quiet hours"); // refused by the constructor
        }
        int hour = hourOfWeek(bestStart);
        return new Moment(Math.max(bestStart, earliest), bestStart + HOUR_MS, hour, confidence(hours, hour));
    }

    /**
     * How much to trust an hour of a rhythm, 0-1: how peaked the rhythm is (1 minus the entropy of
     * the weights over the 168 hours, divided by that of an even spread), times the hour's weight
     * against the strongest one's, times n / (n + 5) for n the weights' total (a customer seen acting
     * twice has a peaked rhythm by chance).
     */
    public static double confidence(double[] hours, int hour) {
        double total = 0;
        double max = 0;
        for (double w : hours) {
            total += w;
            max = Math.max(max, w);
        }
        if (total <= 0) {
            return 0;
        }
        double entropy = 0;
        for (double w : hours) {
            if (w > 0) {
                double p = w / total;
                entropy -= p * Math.log(p);
            }
        }
        double peaked = 1 - entropy / Math.log(HOURS_OF_WEEK);
        double c = peaked * (hours[hour] / max) * (total / (total + EVIDENCE_HALF));
        return Math.round(Math.max(0, Math.min(1, c)) * 1000) / 1000.0;
    }
}
