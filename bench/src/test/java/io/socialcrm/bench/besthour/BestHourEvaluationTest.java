package io.socialcrm.bench.besthour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.bench.besthour.BestHourEvaluation.Reaction;
import io.socialcrm.bench.besthour.BestHourEvaluation.Result;
import io.socialcrm.influence.Decay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The best-hour evaluation counts hits as it says, with the customer stage's own estimator, on generated and on real data. */
class BestHourEvaluationTest {
    private static final BestHourEvaluation EVALUATION = new BestHourEvaluation(Decay.halfLife(Duration.ofDays(14)));

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void eachReactionIsPredictedFromTheUsersOtherReactionsAndFromTheOtherUsers() {
        List<Reaction> rows = new ArrayList<>();
        // alice's audience reacts at 10 (UTC) on Monday 2024-01-01, twice, and once at 11
        rows.add(new Reaction("alice", "p1", at("2024-01-01T09:00:00Z"), at("2024-01-01T10:05:00Z")));
        rows.add(new Reaction("alice", "p1", at("2024-01-01T09:00:00Z"), at("2024-01-01T10:40:00Z")));
        rows.add(new Reaction("alice", "p1", at("2024-01-01T09:00:00Z"), at("2024-01-01T11:10:00Z")));
        // bob's at 15, three times: the other users' busiest hour for alice
        for (int i = 0; i < 3; i++) {
            rows.add(new Reaction("bob", "p2", at("2024-01-01T14:00:00Z"), at("2024-01-01T15:0" + i + ":00Z")));
        }
        rows.add(new Reaction("carol", "p3", at("2024-01-01T14:00:00Z"), at("2024-01-01T18:00:00Z"))); // one reaction: not scored
        Result r = EVALUATION.evaluate("generated", "twitter", rows, 1);
        assertEquals(2, r.users());
        assertEquals(6, r.reactions());
        assertEquals(10, EVALUATION.bestHour("twitter", List.of(at("2024-01-01T10:05:00Z"), at("2024-01-01T10:40:00Z"))));
        // alice: without 10:05 or 10:40 the hours tie, and the more recent (11) wins, as hours decay like contexts: a miss
        // within the window; without 11:10 it is 10 (a miss within the window); bob: 15 each time, three hits
        assertEquals(3 / 6.0, r.perUser(), 1e-9);
        assertEquals(6 / 6.0, r.perUserWindow(), 1e-9);
        // the global hour: alice's is 15 (bob's), bob's is 10 (alice's): no hit
        assertEquals(0.0, r.global(), 1e-9);
        assertEquals(0.0, r.globalWindow(), 1e-9);
        assertEquals(1, BestHourEvaluation.distance(0, 167), "the week is a circle");
    }

    @Test
    void onTheKloutSamplesTheOwnHourBeatsARandomOne() {
        for (var sample : BestHourEvaluation.bundled().entrySet()) {
            List<Reaction> rows = BestHourEvaluation.readBundled(sample.getKey());
            assertEquals(1000, rows.size(), sample.getKey());
            Result r = EVALUATION.evaluate(sample.getKey(), sample.getValue(), rows, 42);
            assertTrue(r.reactions() > 500, "most reactions belong to users with more than one: " + r);
            assertTrue(r.perUser() > 2 * r.randomExpected(), sample.getKey() + ": " + r);
            assertTrue(r.perUserWindow() >= r.perUser(), r.toString());
        }
    }
}
