package io.socialcrm.metrics;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hourly anonymous counts per platform: seen, accepted, dropped, distinct active, take-up. */
class MetricsTopologyTest {

    @Test
    void hourlyCountsPerPlatform() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            f.grant("bob", "twitter", "2", T0.plusSeconds(60));
            f.revoke("bob", "twitter", "2", T0.plusSeconds(120));
            f.post("1", T0.plusSeconds(200), "a");
            f.post("1", T0.plusSeconds(300), "b");
            f.post("2", T0.plusSeconds(400), "revoked");
            f.post("3", T0.plusSeconds(500), "never consented");
            f.post("1", T0.plusSeconds(3600 + 10), "next hour");
            f.pipe(TopologyFixture.act("instagram", "x", ActivityType.POST, T0.plusSeconds(20)).build());
            f.flushMetrics();
            Map<String, ActivityMetrics> byWindow = new HashMap<>();
            List<ActivityMetrics> all = TopologyFixture.values(f.metrics);
            all.forEach(m -> byWindow.put(m.getPlatform() + "@" + m.getWindowStart(), m));
            ActivityMetrics hour0 = byWindow.get("twitter@" + T0);
            assertEquals(4, hour0.getActivitiesSeen());
            assertEquals(2, hour0.getActivitiesAccepted());
            assertEquals(2, hour0.getDroppedNoConsent());
            assertEquals(1, hour0.getDistinctActiveAccounts());
            assertEquals(2, hour0.getConsentsGranted());
            assertEquals(1, hour0.getConsentsRevoked());
            assertEquals(T0.plusSeconds(3600), hour0.getWindowEnd());
            ActivityMetrics hour1 = byWindow.get("twitter@" + T0.plusSeconds(3600));
            assertEquals(1, hour1.getActivitiesAccepted());
            assertEquals(1, hour1.getDistinctActiveAccounts());
            assertEquals(1, byWindow.get("instagram@" + T0).getDroppedNoConsent());

            f.post("3", T0.plusSeconds(900), "late in hour 0");
            f.flushMetrics();
            List<ActivityMetrics> update = TopologyFixture.values(f.metrics);
            assertEquals(1, update.size(), "the window's new totals");
            assertEquals(5, update.get(0).getActivitiesSeen());
            assertEquals(Instant.parse("2026-03-02T09:00:00Z"), update.get(0).getWindowStart());
        }
    }

    @Test
    void aWindowIsWrittenOncePerFlushHoweverManyDeltasReachIt() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            for (int i = 0; i < 50; i++) {
                f.post(i % 2 == 0 ? "1" : "2", T0.plusSeconds(10 + i), "post " + i);
                if (i % 10 == 9) {
                    f.advanceWallClock(Duration.ofSeconds(1)); // no flush is due yet
                }
            }
            assertEquals(List.of(), TopologyFixture.values(f.metrics), "nothing before the flush interval");
            f.flushMetrics();
            List<ActivityMetrics> out = TopologyFixture.values(f.metrics);
            assertEquals(1, out.size(), "one record for the one window: " + out);
            assertEquals(50, out.get(0).getActivitiesSeen());
            assertEquals(25, out.get(0).getActivitiesAccepted());
            f.flushMetrics();
            assertEquals(List.of(), TopologyFixture.values(f.metrics), "an unchanged window is not written again");
        }
    }
}
