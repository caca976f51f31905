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

    @Test
    void aPassOverUnchangedValuesPublishesNoNewSketchSoNothingChurns() {
        try (TopologyFixture f = new TopologyFixture(Map.of("influence.halflife", "off"))) {
            var sketches = f.driver.createOutputTopic(f.topics.influenceDistribution.name(),
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            for (int c = 0; c < 10; c++) {
                f.grant("c" + c, "twitter", "" + c, T0);
                for (int s = 0; s < c; s++) {
                    f.engage("fan" + s, ActivityType.SHARE, "" + c, T0.plusSeconds(10 + s));
                }
            }
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(1, sketches.readRecordsToList().size(), "the first pass publishes");
            f.advanceWallClock(Duration.ofSeconds(2)); // the first ranking: scores go from 0 to ranks
            assertEquals(90.0, TopologyFixture.latest(f.customerProfiles).get("c9").getInfluence().getScore(), 1e-9);
            f.segmentChanges.readRecordsToList();
            for (int pass = 0; pass < 3; pass++) {
                f.advanceWallClock(Duration.ofHours(1).plusSeconds(2)); // segments.refresh.interval: a new pass
            }
            assertEquals(0, sketches.readRecordsToList().size(), "the same values: no new sketch");
            assertTrue(f.customerProfiles.isEmpty(), "and so no profile moves");
            assertTrue(f.segmentChanges.readRecordsToList().stream()
                    .allMatch(r -> !io.socialcrm.contract.ChangeTrigger.SWEEP.equals(io.socialcrm.contract.ChangeTrigger.of(r.headers()))),
                    "and no sweep finds a change");
            f.engage("fan0", ActivityType.SHARE, "0", T0.plusSeconds(500));
            f.advanceWallClock(Duration.ofHours(1).plusSeconds(2));
            assertEquals(1, sketches.readRecordsToList().size(), "a value changed: a new sketch");
        }
    }
}
