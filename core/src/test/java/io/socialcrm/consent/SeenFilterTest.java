package io.socialcrm.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SeenFilterTest {
    private static final long DAY = 86_400_000L;

    private static byte[] hash(long n) {
        return ByteBuffer.allocate(16).putLong(n * 0x9E3779B97F4A7C15L).putLong(n).array();
    }

    @Test
    void aHashPutIsAlwaysFoundAndFewThatWereNotAre() {
        SeenFilter filter = new SeenFilter(14 * DAY, 1_000, 8);
        for (long n = 0; n < 3_000; n++) {
            filter.put(hash(n), n * 1000);
        }
        for (long n = 0; n < 3_000; n++) {
            assertTrue(filter.mightContain(hash(n), 3_000_000), "no false negative: " + n);
        }
        long falsePositives = 0;
        for (long n = 3_000; n < 13_000; n++) {
            falsePositives += filter.mightContain(hash(n), 3_000_000) ? 1 : 0;
        }
        assertTrue(falsePositives < 400, "about 1 % per generation, 3 generations: " + falsePositives);
        assertEquals(3, filter.generations());
    }

    @Test
    void generationsOlderThanTheStoreKeepsAreDroppedButNeverTheCurrentOne() {
        SeenFilter filter = new SeenFilter(14 * DAY, 10, 8);
        for (long n = 0; n < 30; n++) {
            filter.put(hash(n), DAY);
        }
        filter.put(hash(100), 20 * DAY);
        assertEquals(4, filter.generations());
        filter.expire(15 * DAY);
        assertEquals(4, filter.generations(), "day-1 events are kept until day 15");
        filter.expire(15 * DAY + 1);
        assertEquals(1, filter.generations());
        assertTrue(filter.mightContain(hash(100), 15 * DAY + 1));
    }

    /**
     * Each "not seen" asks every generation, and each adds its false positives: generations double
     * from a small first one, so a large window takes few of them and a small task a small filter.
     */
    @Test
    void generationsDoubleUpToTheirLargestSoAWindowOfMillionsTakesFew() {
        SeenFilter filter = new SeenFilter(14 * DAY);
        int n = 0;
        for (; n < SeenFilter.FIRST_GENERATION; n++) {
            filter.put(hash(n), DAY);
        }
        assertEquals(1, filter.generations(), "a small task: one generation of " + SeenFilter.FIRST_GENERATION);
        for (; n < 4_000_000; n++) {
            filter.put(hash(n), DAY);
        }
        // 65,536 + 131,072 + ... + 1,048,576 + 2,000,000 (full at 4,064,256): 4,000,000 hashes in 6 generations
        assertEquals(6, filter.generations(), "250,000 a generation took 16");
        for (int i = 0; i < 4_000_000; i += 997) {
            assertTrue(filter.mightContain(hash(i), 2 * DAY), "no false negative: " + i);
        }
        long falsePositives = 0;
        for (long i = 10_000_000; i < 10_020_000; i++) {
            falsePositives += filter.mightContain(hash(i), 2 * DAY) ? 1 : 0;
        }
        assertTrue(falsePositives < 20_000 * 0.08, "about 1 % for each of 6 generations: " + falsePositives);
    }

    @Test
    void pastItsMemoryBoundItAnswersMaybeUntilWhatItDroppedIsPastTheStoresRetention() {
        SeenFilter filter = new SeenFilter(14 * DAY, 10, 2);
        for (long n = 0; n < 30; n++) {
            filter.put(hash(n), DAY);
        }
        // the first generation was dropped early: its hashes may still be in the store
        assertTrue(filter.mightContain(hash(0), 2 * DAY));
        int unsure = 0;
        int unsureLater = 0;
        for (long n = 1_000; n < 2_000; n++) { // never put
            unsure += filter.mightContain(hash(n), 2 * DAY) ? 1 : 0;
            unsureLater += filter.mightContain(hash(n), 15 * DAY + 1) ? 1 : 0;
        }
        assertEquals(1_000, unsure, "not sure of anything while incomplete");
        assertTrue(unsureLater < 60, "sure again once the dropped events are past retention (about 1 % for each of 2 generations): "
                + unsureLater);
    }
}
