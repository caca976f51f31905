package io.socialcrm.influence;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The score is the customer's rank among all customers, from the published distribution. */
class RankTopologyTest {

    @Test
    void scoresRankCustomersOnceTheDistributionIsPublished() {
        try (TopologyFixture f = new TopologyFixture()) {
            for (int c = 0; c < 10; c++) {
                f.grant("c" + c, "twitter", "" + c, T0);
                for (int s = 0; s < c; s++) {
                    f.engage("fan" + s, ActivityType.SHARE, "" + c, T0.plusSeconds(10 + s));
                }
            }
            assertEquals(0.0, TopologyFixture.latest(f.customerProfiles).get("c9").getInfluence().getScore(),
                    "no distribution yet");
            f.advanceWallClock(Duration.ofSeconds(2));
            for (int c = 0; c < 10; c++) {
                f.post("" + c, T0.plusSeconds(100), "ping");
            }
            Map<String, CustomerProfile> profiles = TopologyFixture.latest(f.customerProfiles);
            for (int c = 0; c < 10; c++) {
                double percentile = profiles.get("c" + c).getInfluence().getPercentile();
                assertEquals(c / 10.0, percentile, 1e-9, "c" + c + " ranks above " + c + " of 10 customers");
                assertEquals(c * 10.0, profiles.get("c" + c).getInfluence().getScore(), 1e-9);
            }
            assertTrue(profiles.get("c9").getModelVersion().startsWith("influence-v1(halflife=30d"));
        }
    }
}
