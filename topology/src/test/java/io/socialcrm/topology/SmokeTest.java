package io.socialcrm.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.testing.TopologyFixture;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void creditReachesTarget() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", TopologyFixture.T0);
            f.engage("2", ActivityType.SHARE, "1", TopologyFixture.T0.plusSeconds(60));
            var profiles = TopologyFixture.latest(f.customerProfiles);
            System.out.println(profiles);
            System.out.println(TopologyFixture.values(f.segmentChanges));
            var dl = f.deadLetters.readRecordsToList();
            dl.forEach(r -> System.out.println(new String(r.headers().lastHeader("__streams.errors.message").value())));
            assertEquals(1.0, profiles.get("alice").getInfluence().getSharesReceived(), 1e-9);
        }
    }
}
