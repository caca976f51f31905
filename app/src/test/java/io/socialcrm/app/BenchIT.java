package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.serde.PlainJson;
import org.junit.jupiter.api.Test;

/**
 * {@code socialcrm bench} runs end to end and reports every figure (a tiny run: the figures
 * themselves are for a benchmark run to measure, not for a test to judge).
 */
class BenchIT {
    @Test
    void aSmallBenchReportsEveryFigure() throws Exception {
        MainTest.Outcome outcome = MainTest.run("bench", "--events", "3000", "--customers", "300", "--rate", "300",
                "--latency-duration", "3s", "--app-heap", "512m", "--json");
        assertEquals(0, outcome.code(), outcome.err());
        JsonNode r = PlainJson.MAPPER.readTree(outcome.out());
        assertEquals(3000, r.path("events").asLong());
        assertTrue(r.path("passThroughEventsPerSecond").asLong() > 0, r.toString());
        assertTrue(r.path("fullEventsPerSecond").asLong() > 0, r.toString());
        assertTrue(r.path("ratio").asDouble() > 0, r.toString());
        // the one-hop baseline moved every record across its repartition topic, and is reported against both sides
        assertTrue(r.path("oneHopEventsPerSecond").asLong() > 0, r.toString());
        assertTrue(r.path("oneHopRepartitionEndOffsets").asLong() >= 3000, "every activity and the commit markers: " + r);
        assertEquals(r.path("oneHopEventsPerSecond").asDouble() / r.path("passThroughEventsPerSecond").asDouble(),
                r.path("oneHopRatio").asDouble(), 0.006, r.toString());
        assertEquals(r.path("fullEventsPerSecond").asDouble() / r.path("oneHopEventsPerSecond").asDouble(),
                r.path("ratioToOneHop").asDouble(), 0.006, r.toString());
        // the full run's clock: its seconds give its rate; the metrics path's timed flush is waited for, not timed
        double seconds = r.path("fullSeconds").asDouble();
        assertTrue(seconds > 0, r.toString());
        assertEquals(3000 / seconds, r.path("fullEventsPerSecond").asDouble(), 3000 / seconds * 0.01 + 1, r.toString());
        assertTrue(r.path("metricsFlushedSecondsAfter").asDouble() >= 0, r.toString());
        // which topic's writes ended the run: none after the end (the timed metrics flush aside)
        JsonNode lastWrites = r.path("fullLastWriteSecondsByTopic");
        assertTrue(lastWrites.has("bench.customer-profiles"), r.toString());
        lastWrites.fields().forEachRemaining(e -> assertTrue(e.getValue().asDouble()
                <= seconds + r.path("metricsFlushedSecondsAfter").asDouble() + 0.01, e.getKey() + ": " + r));
        // the pass-through runs before and after the full topology; the ratio is to their mean
        JsonNode runs = r.path("passThroughRunsEventsPerSecond");
        assertEquals(2, runs.size(), r.toString());
        assertTrue(runs.get(0).asLong() > 0 && runs.get(1).asLong() > 0, r.toString());
        assertEquals((runs.get(0).asLong() + runs.get(1).asLong()) / 2.0, r.path("passThroughEventsPerSecond").asLong(), 1.0, r.toString());
        // at the fixed rate a slow machine may be above capacity and time nothing; at 40 % of it, never
        assertTrue(r.path("latencyMs").has("changes"), r.toString());
        assertTrue(r.path("latencyBelowCapacityMs").path("changes").asLong() > 0, "the latency run timed segment changes: " + r);
        assertTrue(r.path("latencyBelowCapacityMs").path("p99").asDouble() > 0, r.toString());
        assertTrue(r.path("peakRssMB").asLong() > 50, r.toString());
        assertTrue(r.path("customersWithState").asLong() > 0, r.toString());
        assertTrue(r.path("stateBytesByStore").has("customer-state"), r.toString());
        // compaction only drops what later writes shadow: never more than was on disk, never everything
        long compacted = r.path("stateBytesByStoreCompacted").path("customer-state").asLong();
        assertTrue(compacted > 0 && compacted <= r.path("stateBytesByStore").path("customer-state").asLong(), r.toString());
        assertTrue(r.path("restoredRecords").asLong() > 0, "the restore read the changelogs: " + r);
        // every activity is at least de-duplicated durably, and the work is bounded: this tiny run (3,000
        // activities at a few hundred a second) spreads the per-commit changelog records over few
        // activities; the deterministic count is WorkPerActivityTest's
        double perActivity = r.path("recordsWrittenPerActivity").asDouble();
        assertTrue(perActivity >= 1 && perActivity < 20, r.toString());
        assertTrue(r.path("recordsWrittenPerActivityByTopic").has("bench-app-seen-batches-changelog"), r.toString());
        // the de-duplication batches are held in the heap: counted apart, and not taken for a store on disk
        assertTrue(r.path("inMemoryStateBytesByStore").path("seen-batches").asLong() > 0, r.toString());
        assertTrue(!r.path("inMemoryStateBytesByStore").has("customer-state"), r.toString());
        assertTrue(r.path("stateBytesPerCustomerWithInMemory").asLong() > r.path("stateBytesPerCustomerCompacted").asLong(),
                r.toString());
        assertTrue(r.path("recordsWrittenPerActivityByTopic").path("bench.customer-profiles").asDouble() > 0,
                "the throughput run lasts until the customer stage has done its work: " + r);
        assertTrue(r.path("recordsWrittenPerActivityByTopic").path("bench-app-customer-events-repartition").asDouble() > 0,
                "the hop to the customer stage is counted (its task-level metric is on /metrics): " + r);
    }
}
