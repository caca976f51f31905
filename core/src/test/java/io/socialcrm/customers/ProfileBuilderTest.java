package io.socialcrm.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A profile's strongest contexts: the same contexts, values and order as sorting every context. */
class ProfileBuilderTest {

    @Test
    void theStrongestContextsAreThoseAFullSortGives() {
        Random random = new Random(7);
        double[] tied = {0.5, 0.25, 0.0015, 0.001, 0.0009, 3.0};
        for (int round = 0; round < 20_000; round++) {
            Map<String, Double> contexts = new HashMap<>();
            int size = random.nextInt(40);
            for (int i = 0; i < size; i++) {
                // many equal values (ties broken by id), values at and under the 0.001 floor, a NaN now and then
                double value = switch (random.nextInt(5)) {
                    case 0 -> tied[random.nextInt(tied.length)];
                    case 1 -> random.nextDouble() * 0.002;
                    case 2 -> random.nextInt(200) == 0 ? Double.NaN : random.nextDouble() * 50;
                    default -> random.nextDouble();
                };
                contexts.put("ctx-" + random.nextInt(60), value);
            }
            Map<String, Double> expected = sortedAll(contexts);
            Map<String, Double> actual = ProfileBuilder.strongest(contexts);
            assertEquals(List.copyOf(expected.entrySet()), List.copyOf(actual.entrySet()), "contexts " + contexts);
        }
    }

    @Test
    void roundingKeepsTheDecimalsAsked() {
        assertEquals(0.123, ProfileBuilder.round(0.12345, 3));
        assertEquals(0.1235, ProfileBuilder.round(0.12345, 4));
        assertEquals(2.0, ProfileBuilder.round(1.99999, 3));
        assertEquals(-0.5, ProfileBuilder.round(-0.50004, 4));
    }

    /** The earlier way: every context sorted, strongest first, ties by id. */
    private static Map<String, Double> sortedAll(Map<String, Double> contexts) {
        Map<String, Double> top = new LinkedHashMap<>();
        contexts.entrySet().stream()
                .filter(e -> e.getValue() >= 0.001)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(ProfileBuilder.PROFILE_CONTEXTS)
                .forEach(e -> top.put(e.getKey(), ProfileBuilder.round(e.getValue(), 3)));
        return top;
    }
}
