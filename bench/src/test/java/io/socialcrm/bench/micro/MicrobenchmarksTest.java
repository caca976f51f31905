package io.socialcrm.bench.micro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * `socialcrm bench --micro` runs these benchmarks only when asked: their set-up and a few calls run
 * here, so that a store or a setting the processors come to need fails the build, not the user's run.
 */
class MicrobenchmarksTest {
    private static final Blackhole BLACKHOLE =
            new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void theInProcessPipelineTakesActivitiesToTheCustomerStage() {
        Pipeline pipeline = new Pipeline();
        pipeline.setUp();
        try {
            assertTrue(pipeline.customersWithState() > 1_000, "the consents linked the customers' accounts");
            long profiles = pipeline.profilesWritten;
            for (int i = 0; i < 2_000; i++) {
                pipeline.activity(BLACKHOLE);
                pipeline.consentGate(BLACKHOLE);
            }
            assertTrue(pipeline.profilesWritten - profiles > 200,
                    "activities of consented actors and credits to consented targets refreshed customers: "
                            + (pipeline.profilesWritten - profiles));
        } finally {
            pipeline.tearDown();
        }
    }

    /** Not a timing: what makes the doubling generations faster, fewer generations to ask and fewer false positives. */
    @Test
    void theDedupeFilterWithDoublingGenerationsAsksFewerAndSendsFewerNewEventsToTheIndex() {
        DedupeFilter doubling = new DedupeFilter();
        doubling.generations = "doubling";
        doubling.setUp();
        DedupeFilter fixed = new DedupeFilter();
        fixed.generations = "fixed";
        fixed.setUp();
        for (int i = 0; i < 20_000; i++) {
            doubling.newEvent();
            fixed.newEvent();
        }
        assertEquals(8, doubling.generationsHeld(), "8,000,000 events: 65,536 doubling to 2,000,000");
        assertEquals(32, fixed.generationsHeld(), "8,000,000 events: 250,000 each");
        assertTrue(doubling.falsePositives() < 0.10 && fixed.falsePositives() > 0.2,
                "new events the filter could not rule out: " + doubling.falsePositives() + " against " + fixed.falsePositives());
    }

    @Test
    void theHotPathsPartsRun() {
        HotPath hotPath = new HotPath();
        hotPath.setUp();
        hotPath.contextAnalysis(BLACKHOLE);
        hotPath.credit(BLACKHOLE);
        hotPath.scoring(BLACKHOLE);
        hotPath.segmentEvaluation(BLACKHOLE);
    }
}
