package io.socialcrm.customers;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Cross-platform take-up, kept current by the identity events, against a direct count of the consents given. */
class TakeUpTopologyTest {
    private static final List<String> PLATFORMS = List.of("bluesky", "mastodon", "twitter");

    @Test
    void theSweepCountsCustomersByPlatformsAndPairsAsTheConsentsSay() {
        try (TopologyFixture f = new TopologyFixture()) {
            Random random = new Random(3);
            Map<String, Set<String>> linked = new TreeMap<>();
            for (int c = 0; c < 60; c++) {
                for (String platform : PLATFORMS) {
                    if (random.nextDouble() < 0.5) {
                        f.grant("c" + c, platform, "u" + c, T0.plusSeconds(c));
                        linked.computeIfAbsent("c" + c, k -> new TreeSet<>()).add(platform);
                    }
                }
            }
            // one revocation: c-first's first platform goes (and the customer, if it was the only one)
            String revoked = linked.keySet().iterator().next();
            String platform = linked.get(revoked).iterator().next();
            f.revoke(revoked, platform, "u" + revoked.substring(1), T0.plusSeconds(100));
            linked.get(revoked).remove(platform);
            if (linked.get(revoked).isEmpty()) {
                linked.remove(revoked);
            }
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(expected(linked), total(f), "the partition's count (one partition in the driver)");

            // a merge moves accounts between customers: the count follows the state
            List<String> ids = new ArrayList<>(linked.keySet());
            String survivor = ids.get(1);
            String merged = ids.get(2);
            f.merges.pipeInput(merged, new CustomerMerge(survivor, merged, T0.plusSeconds(200)), T0.plusSeconds(200));
            linked.get(survivor).addAll(linked.remove(merged));
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(expected(linked), total(f), "after a merge, within a second or two (no sweep needed)");

            // an erasure takes the customer out of every count
            String erased = ids.get(3);
            f.erasures.pipeInput(erased, new ErasureRequest("req-1", erased, T0.plusSeconds(300)), T0.plusSeconds(300));
            linked.remove(erased);
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(expected(linked), total(f), "after an erasure");

            // activity changes no one's platforms: nothing is written
            f.post("u" + survivor.substring(1), T0.plusSeconds(400), "hello");
            f.advanceWallClock(Duration.ofHours(1).plusSeconds(2));
            assertTrue(f.takeUp.isEmpty(), "an unchanged count is not written again");
        }
    }

    private static ConsentTakeUp total(TopologyFixture f) {
        Map<String, ConsentTakeUp> latest = TopologyFixture.latest(f.takeUp);
        assertEquals(1, latest.size(), latest.toString());
        ConsentTakeUp t = latest.values().iterator().next();
        return ConsentTakeUp.newBuilder(t).setAsOf(java.time.Instant.EPOCH).build();
    }

    /** The direct count of who consented where. */
    private static ConsentTakeUp expected(Map<String, Set<String>> linked) {
        Map<String, Long> byCount = new TreeMap<>();
        Map<String, Long> byPlatform = new TreeMap<>();
        Map<String, Long> pairs = new TreeMap<>();
        for (Set<String> platforms : linked.values()) {
            byCount.merge(platforms.size() >= 3 ? "3+" : Integer.toString(platforms.size()), 1L, Long::sum);
            platforms.forEach(p -> byPlatform.merge(p, 1L, Long::sum));
            for (String a : platforms) {
                for (String b : platforms) {
                    if (a.compareTo(b) < 0) {
                        pairs.merge(a + "+" + b, 1L, Long::sum);
                    }
                }
            }
        }
        return ConsentTakeUp.newBuilder().setPartition(0).setCustomers(linked.size()).setByPlatformCount(byCount)
                .setByPlatform(byPlatform).setPairs(pairs).setAsOf(java.time.Instant.EPOCH).build();
    }
}
