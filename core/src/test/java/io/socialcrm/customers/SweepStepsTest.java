package io.socialcrm.customers;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.config.AppConfig;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A sweep re-evaluates every customer of the task once per pass, in steps of at most
 * {@code segments.sweep.batch} customers, in the store's order: across the chunks it reads the
 * store in, and across steps.
 */
class SweepStepsTest {
    private static final int CUSTOMERS = 2 * Sweeps.READ_CHUNK + 45;
    private static final int BATCH = Sweeps.READ_CHUNK + 72;

    @Test
    void aPassReachesEveryCustomerOnceInBoundedSteps() {
        try (TopologyFixture f = new TopologyFixture(Map.of(AppConfig.SWEEP_BATCH.name(), Integer.toString(BATCH)))) {
            List<String> ids = new ArrayList<>();
            for (int c = 0; c < CUSTOMERS; c++) {
                String id = String.format("c%04d", c);
                ids.add(id);
                f.grant(id, "twitter", Integer.toString(c), T0);
                f.engage("fan", ActivityType.LIKE, Integer.toString(c), T0.plusSeconds(10 + c));
            }
            for (int tick = 0; tick < 6; tick++) {
                f.advanceWallClock(Duration.ofSeconds(1)); // the passes of the start end, before the segment exists
            }
            assertTrue(f.segmentChanges.isEmpty());

            f.define("liked", "influence.likes > 0.5", null, 1); // a like decays: read later, it is a little under 1
            f.advanceWallClock(Duration.ofSeconds(1));
            List<String> first = entered(TopologyFixture.values(f.segmentChanges));
            assertEquals(ids.subList(0, BATCH), first, "one step: the batch's customers, in the store's order");

            f.advanceWallClock(Duration.ofSeconds(1));
            List<String> second = entered(TopologyFixture.values(f.segmentChanges));
            assertEquals(ids.subList(BATCH, CUSTOMERS), second, "the next step goes on where the first stopped");

            f.advanceWallClock(Duration.ofSeconds(1));
            assertTrue(f.segmentChanges.isEmpty(), "the pass is over: nobody is evaluated twice");
            assertEquals(new TreeSet<>(ids), TopologyFixture.latest(f.segmentMembers).keySet().stream()
                    .map(k -> k.substring("liked/".length())).collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        }
    }

    private static List<String> entered(List<SegmentChange> changes) {
        List<String> ids = new ArrayList<>();
        for (SegmentChange change : changes) {
            assertEquals(MembershipChange.ENTERED, change.getChange());
            ids.add(change.getCustomerId());
        }
        return ids;
    }
}
