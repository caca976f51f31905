package io.socialcrm.customers;

import io.socialcrm.avro.internal.AccountState;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An account's activity by hour of the week ({@code hourWeights}): for each hour with a weight, in
 * order of hour, one byte (the hour, 0–167) and a float. Earlier versions kept a map from the hour
 * as text to its weight ({@code hours}): 7 bytes an hour in the stored state instead of 5, and every
 * profile built parsed each key again; such a map is moved here when an account is first read
 * through this class, and left empty.
 *
 * <p>The weights are what the map held, computed the same way (a float added to a float, scaled
 * through a double), so profiles and best hours do not change.
 */
final class HourHistogram {
    /** Hours in a week. */
    static final int HOURS = 168;
    private static final int ENTRY = 1 + Float.BYTES;

    /** Receives an hour and its weight. */
    @FunctionalInterface
    interface Each {
        void accept(int hour, float weight);
    }

    private HourHistogram() {
    }

    /** Moves the hours of an earlier version's map into the packed form. */
    static void migrate(AccountState a) {
        Map<String, Float> legacy = a.getHours();
        if (legacy.isEmpty()) {
            return;
        }
        float[] weights = new float[HOURS];
        boolean[] held = new boolean[HOURS];
        forEachPacked(a.getHourWeights(), (hour, weight) -> {
            weights[hour] = weight;
            held[hour] = true;
        });
        legacy.forEach((key, weight) -> {
            int hour = Integer.parseInt(key);
            if (hour >= 0 && hour < HOURS) {
                weights[hour] = held[hour] ? weights[hour] + weight : weight;
                held[hour] = true;
            }
        });
        ByteBuffer packed = ByteBuffer.allocate(HOURS * ENTRY);
        for (int hour = 0; hour < HOURS; hour++) {
            if (held[hour]) {
                packed.put((byte) hour).putFloat(weights[hour]);
            }
        }
        a.setHourWeights(ByteBuffer.wrap(Arrays.copyOf(packed.array(), packed.position())));
        a.setHours(new HashMap<>());
    }

    static boolean isEmpty(AccountState a) {
        return a.getHours().isEmpty() && !a.getHourWeights().hasRemaining();
    }

    /** Every hour with a weight, in order of hour. */
    static void forEach(AccountState a, Each each) {
        migrate(a);
        forEachPacked(a.getHourWeights(), each);
    }

    private static void forEachPacked(ByteBuffer packed, Each each) {
        for (int at = packed.position(); at + ENTRY <= packed.limit(); at += ENTRY) {
            each.accept(packed.get(at) & 0xff, packed.getFloat(at + 1));
        }
    }

    /** Adds {@code weight} to the hour's (as {@code Map.merge(hour, weight, Float::sum)} did). */
    static void add(AccountState a, int hour, float weight) {
        migrate(a);
        ByteBuffer packed = a.getHourWeights();
        int at = packed.position();
        while (at + ENTRY <= packed.limit() && (packed.get(at) & 0xff) < hour) {
            at += ENTRY;
        }
        if (at + ENTRY <= packed.limit() && (packed.get(at) & 0xff) == hour) {
            packed.putFloat(at + 1, packed.getFloat(at + 1) + weight);
            return;
        }
        int before = at - packed.position();
        byte[] grown = new byte[packed.remaining() + ENTRY];
        packed.get(packed.position(), grown, 0, before);
        ByteBuffer.wrap(grown, before, ENTRY).put((byte) hour).putFloat(weight);
        packed.get(at, grown, before + ENTRY, packed.limit() - at);
        a.setHourWeights(ByteBuffer.wrap(grown));
    }

    /** Scales every weight by {@code factor}; weights that fall under {@code min} go. */
    static void scale(AccountState a, double factor, float min) {
        migrate(a);
        ByteBuffer packed = a.getHourWeights();
        ByteBuffer scaled = ByteBuffer.allocate(packed.remaining());
        forEachPacked(packed, (hour, weight) -> {
            float w = (float) (weight * factor);
            if (w >= min) {
                scaled.put((byte) hour).putFloat(w);
            }
        });
        a.setHourWeights(ByteBuffer.wrap(Arrays.copyOf(scaled.array(), scaled.position())));
    }

    /** Adds another account's hours to {@code a}'s. */
    static void absorb(AccountState a, AccountState other) {
        forEach(other, (hour, weight) -> add(a, hour, weight));
    }

    /** No hours. */
    static void clear(AccountState a) {
        a.setHours(new HashMap<>());
        a.setHourWeights(ByteBuffer.allocate(0));
    }
}
