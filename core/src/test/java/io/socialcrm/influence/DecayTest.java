package io.socialcrm.influence;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rule 4: scores decay exponentially in event time; values equal the closed form. */
class DecayTest {
    private static final long DAY = Duration.ofDays(1).toMillis();

    private static double closedForm(long asOf, long halfLifeMs, long... times) {
        double sum = 0;
        for (long t : times) {
            sum += Math.pow(2, -(double) (asOf - t) / halfLifeMs);
        }
        return sum;
    }

    @Test
    void influenceCountersEqualTheClosedForm() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            long t0 = T0.toEpochMilli();
            long[] shares = {t0 + DAY, t0 + 4 * DAY, t0 + 19 * DAY, t0 + 45 * DAY};
            int n = 0;
            for (long t : shares) {
                f.engage("2" + n++, ActivityType.SHARE, "1", Instant.ofEpochMilli(t));
            }
            long last = shares[shares.length - 1];
            CustomerProfile p = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(closedForm(last, 30 * DAY, shares), p.getInfluence().getSharesReceived(), 1e-4);
            assertEquals(closedForm(last, 30 * DAY, shares), p.getInfluence().getDistinctEngagers(), 1e-4,
                    "each new engager counts once, decayed from when it came");

            long later = t0 + 60 * DAY;
            f.engage("9", ActivityType.LIKE, "1", Instant.ofEpochMilli(later));
            p = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(closedForm(later, 30 * DAY, shares), p.getInfluence().getSharesReceived(), 1e-4);
            assertEquals(1.0, p.getInfluence().getLikesReceived(), 1e-9);
        }
    }

    @Test
    void aLateEventCountsWithTheWeightItLost() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            long t0 = T0.toEpochMilli();
            f.engage("2", ActivityType.REPLY, "1", Instant.ofEpochMilli(t0 + 40 * DAY));
            f.engage("3", ActivityType.REPLY, "1", Instant.ofEpochMilli(t0 + 10 * DAY));
            CustomerProfile p = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(closedForm(t0 + 40 * DAY, 30 * DAY, t0 + 40 * DAY, t0 + 10 * DAY),
                    p.getInfluence().getRepliesReceived(), 1e-4);
        }
    }

    @Test
    void contextsDecayWithTheirOwnHalfLife() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            long t0 = T0.toEpochMilli();
            f.post("1", Instant.ofEpochMilli(t0 + DAY), "matchday", "soccer");
            f.post("1", Instant.ofEpochMilli(t0 + 8 * DAY), "matchday again", "soccer");
            f.post("1", Instant.ofEpochMilli(t0 + 22 * DAY), "nothing to see");
            Map<String, Double> contexts = TopologyFixture.latest(f.customerProfiles).get("alice").getContexts();
            assertEquals(closedForm(t0 + 22 * DAY, 14 * DAY, t0 + DAY, t0 + 8 * DAY), contexts.get("soccer"), 1e-3);
        }
    }

    @Test
    void withDecayOffCountsAreExact() {
        try (TopologyFixture f = new TopologyFixture(Map.of("influence.halflife", "off"))) {
            f.grant("alice", "twitter", "1", T0);
            for (int i = 0; i < 50; i++) {
                f.mention("m" + i, T0.plusSeconds(86_400L * i), "1");
            }
            CustomerProfile p = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(50.0, p.getInfluence().getMentionsReceived(), 0.0);
            assertEquals(50.0, p.getInfluence().getDistinctEngagers(), 0.0);
            assertEquals(1.0, p.getInfluence().getMomentum(), 0.0);
        }
    }

    @Test
    void followersCannotDominateRaw() {
        InfluenceModel model = new InfluenceModel(new InfluenceWeights(1.0, 0.8, 0.6, 0.3, 1.2, 0.3, 0.15),
                Duration.ofDays(30), Duration.ofDays(7));
        double celebrity = model.raw(new InfluenceTotals(0, 0, 0, 0, 0, 0, 10_000_000L, 0));
        double engaged = model.raw(new InfluenceTotals(20, 10, 10, 0, 0, 15, 300, 0));
        assertEquals(engaged, model.contributions(new InfluenceTotals(20, 10, 10, 0, 0, 15, 300, 0)).values().stream()
                .mapToDouble(Double::doubleValue).sum(), 1e-12, "the console's parts of the score add up to it");
        assertEquals(2.42, celebrity, 0.01);
        assertEquals(true, engaged > 3 * celebrity, "engagement outranks audience size: " + engaged);
    }
}
