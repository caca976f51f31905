package io.socialcrm.segments;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.common.Names;
import io.socialcrm.contract.ChangeTrigger;
import io.socialcrm.errors.DeadLetters;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Rule 6: segments evaluated on every change and on definition changes; transitions only. */
class SegmentTopologyTest {
    private static final long DAY = Duration.ofDays(1).toMillis();

    private static Instant day(double d) {
        return Instant.ofEpochMilli(T0.toEpochMilli() + (long) (d * DAY));
    }

    @Test
    void hysteresisEntersOnceAndExitsOnlyBelowTheExitThreshold() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("soccer-fans", "context(\"soccer\") >= 2.0", "context(\"soccer\") < 0.75", 1);
            f.grant("alice", "twitter", "1", T0);
            f.post("1", day(0.1), "kick-off", "soccer");
            f.post("1", day(0.2), "goal", "soccer");
            f.post("1", day(0.3), "full time", "soccer");
            // ~3 decays to ~1.5 in 14 days: below the entry threshold, above the exit one: still a member
            f.post("1", day(14), "weather");
            f.post("1", day(15), "football on tv tonight", "soccer");
            // ~2.4 decays to ~0.55 by day 45: below 0.75, out
            f.post("1", day(45), "weather again");
            List<SegmentChange> changes = TopologyFixture.values(f.segmentChanges);
            assertEquals(List.of(MembershipChange.ENTERED, MembershipChange.EXITED),
                    changes.stream().map(SegmentChange::getChange).toList(), changes.toString());
            SegmentChange entered = changes.get(0);
            assertEquals("soccer-fans", entered.getSegmentId());
            assertTrue(entered.getReason().startsWith("enterWhen (context(\"soccer\") >= 2.0) is true: context(\"soccer\")=2"),
                    entered.getReason());
            assertTrue(changes.get(1).getReason().startsWith("exitWhen (context(\"soccer\") < 0.75) is true: context(\"soccer\")=0."),
                    changes.get(1).getReason());
            assertEquals(day(45), changes.get(1).getAt());
            Map<String, SegmentMembership> members = TopologyFixture.latest(f.segmentMembers);
            assertTrue(members.isEmpty(), "the exit tombstoned the membership");
        }
    }

    private static void defineWithDwell(TopologyFixture f, String id, String enterWhen, String minDwell) {
        f.definitions.pipeInput(id, SegmentDefinition.newBuilder().setId(id).setEnterWhen(enterWhen).setVersion(1)
                .setMinDwell(minDwell).build(), T0);
    }

    @Test
    void aMinimumDwellHoldsARuleExitUntilItHasPassedAndTheExitSaysItWaited() {
        try (TopologyFixture f = new TopologyFixture()) {
            defineWithDwell(f, "soccer-fans", "context(\"soccer\") >= 2.0", "30d");
            f.grant("alice", "twitter", "1", T0);
            f.grant("bob", "twitter", "2", T0);
            f.post("1", day(0.1), "kick-off", "soccer");
            f.post("1", day(0.2), "goal", "soccer");
            f.post("1", day(0.3), "full time", "soccer");
            assertEquals(List.of(MembershipChange.ENTERED), TopologyFixture.values(f.segmentChanges).stream()
                    .map(SegmentChange::getChange).toList());
            // ~3 decays below 2.0 in about 8 days: without minDwell alice would leave with this post
            f.post("1", day(10), "weather");
            f.post("1", day(20), "more weather");
            assertTrue(f.segmentChanges.isEmpty(), "the exit waits for the 30 days");
            assertEquals(day(10).toEpochMilli(), f.customerState().get("alice").getMemberships().get(0).getExitDueSince(),
                    "the membership remembers since when the exit is due");
            assertEquals(List.of("soccer-fans/alice"), List.copyOf(TopologyFixture.latest(f.segmentMembers).keySet()));

            // time passes without alice doing anything: the sweep finds the 30 days over
            f.post("2", day(45), "something else");
            f.advanceWallClock(Duration.ofHours(1).plusSeconds(2));
            List<TestRecord<String, SegmentChange>> swept = f.segmentChanges.readRecordsToList();
            assertEquals(1, swept.size(), swept.toString());
            SegmentChange exit = swept.get(0).value();
            assertEquals(MembershipChange.EXITED, exit.getChange());
            assertTrue(exit.getReason().startsWith("enterWhen (context(\"soccer\") >= 2.0) is no longer true"), exit.getReason());
            assertTrue(exit.getReason().endsWith("; held by minDwell 30d (exit due since " + day(10) + ", member since "
                    + day(0.3) + ")"), exit.getReason());
            assertEquals(ChangeTrigger.SWEEP, ChangeTrigger.of(swept.get(0).headers()));
            assertTrue(TopologyFixture.latest(f.segmentMembers).isEmpty());
        }
    }

    @Test
    void anExitNoLongerDueIsForgottenAndAConsentChangeNeverWaits() {
        try (TopologyFixture f = new TopologyFixture()) {
            defineWithDwell(f, "soccer-fans", "context(\"soccer\") >= 2.0", "30d");
            defineWithDwell(f, "reachable", "contactable", "30d");
            f.grant("alice", "twitter", "1", T0, ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.MESSAGING);
            f.post("1", day(0.1), "kick-off", "soccer");
            f.post("1", day(0.2), "goal", "soccer");
            f.post("1", day(0.3), "full time", "soccer");
            f.post("1", day(10), "weather");
            assertEquals(day(10).toEpochMilli(), dueSince(f, "soccer-fans"));
            f.post("1", day(11), "derby day", "soccer");
            f.post("1", day(11.1), "what a match", "soccer");
            assertEquals(null, dueSince(f, "soccer-fans"), "back above the threshold: no exit is due any more");

            // MESSAGING withdrawn on day 12: 'reachable' is left at once, dwell or not
            f.grant("alice", "twitter", "1", day(12), ConsentScope.ACTIVITY, ConsentScope.CONTENT);
            List<SegmentChange> changes = TopologyFixture.values(f.segmentChanges);
            List<SegmentChange> exits = changes.stream().filter(c -> c.getChange() == MembershipChange.EXITED).toList();
            assertEquals(List.of("reachable"), exits.stream().map(SegmentChange::getSegmentId).toList(), changes.toString());
            assertTrue(exits.get(0).getReason().endsWith("; minDwell 30d does not hold an exit on a consent change"),
                    exits.get(0).getReason());

            // revoked altogether: every membership goes at once
            f.revoke("alice", "twitter", "1", day(13));
            assertEquals(List.of("soccer-fans"), TopologyFixture.values(f.segmentChanges).stream()
                    .filter(c -> c.getChange() == MembershipChange.EXITED).map(SegmentChange::getSegmentId).toList());
            assertTrue(TopologyFixture.latest(f.segmentMembers).isEmpty());
        }
    }

    @Test
    void aMinimumDwellThatIsNotADurationIsRefusedSayingWhatToWrite() {
        SegmentDefinition bad = SegmentDefinition.newBuilder().setId("x").setEnterWhen("contactable").setVersion(3)
                .setMinDwell("a fortnight").build();
        InvalidRuleException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidRuleException.class, () -> Segment.compile(bad));
        assertEquals("segment 'x' v3 minDwell 'a fortnight' is not a duration between 1ms and 366d (write e.g. 2h, 7d or PT30M)",
                e.getMessage());
        assertEquals(7 * DAY, Segment.compile(SegmentDefinition.newBuilder(bad).setMinDwell("7d").build()).minDwellMs());
        assertEquals(1_800_000L, Segment.compile(SegmentDefinition.newBuilder(bad).setMinDwell("PT30M").build()).minDwellMs());
    }

    private static Long dueSince(TopologyFixture f, String segmentId) {
        return f.customerState().get("alice").getMemberships().stream().filter(m -> m.getSegmentId().equals(segmentId))
                .findFirst().orElseThrow().getExitDueSince();
    }

    @Test
    void everyAcceptedVersionIsKeptAlsoAfterTheSegmentIsDeleted() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("liked", "influence.likes >= 3.0", null, 1);
            f.define("liked", "influence.likes >= 5.0", null, 2);
            f.define("liked", "influence.likes >= 1.0", null, 1); // lower than the one held: ignored
            f.define("liked", "influence.likes >=", null, 3); // does not compile: refused
            f.define("other", "contactable", null, 7);
            f.definitions.pipeInput("liked", null, T0);
            org.apache.kafka.streams.state.KeyValueStore<String, SegmentDefinition> versions = f.store(Names.SEGMENT_VERSIONS);
            Map<String, String> kept = new java.util.TreeMap<>();
            try (var all = versions.all()) {
                all.forEachRemaining(kv -> kept.put(kv.key, kv.value.getVersion() + ": " + kv.value.getEnterWhen()));
            }
            assertEquals(Map.of(Names.segmentVersionKey("liked", 1), "1: influence.likes >= 3.0",
                    Names.segmentVersionKey("liked", 2), "2: influence.likes >= 5.0",
                    Names.segmentVersionKey("other", 7), "7: contactable"), kept);
            assertEquals(List.of(Names.segmentVersionKey("liked", 1), Names.segmentVersionKey("liked", 2),
                    Names.segmentVersionKey("other", 7)), List.copyOf(kept.keySet()), "keys sort by segment, then version");
            assertTrue(Names.segmentVersionKey("a", 9).compareTo(Names.segmentVersionKey("a", 10)) < 0);
        }
    }

    private static void defineShadow(TopologyFixture f, String id, String enterWhen, int version) {
        f.definitions.pipeInput(id + Segment.SHADOW_SUFFIX, SegmentDefinition.newBuilder().setId(id).setEnterWhen(enterWhen)
                .setVersion(version).setMode(Segment.SHADOW).build(), T0);
    }

    /** Five customers, liked 1 to 5 times. */
    private static void likes(TopologyFixture f) {
        for (int c = 1; c <= 5; c++) {
            f.grant("c" + c, "twitter", "" + c, T0);
            for (int likes = 0; likes < c; likes++) {
                f.engage("fan" + likes, ActivityType.LIKE, "" + c, T0.plusSeconds(10 + 10L * c + likes));
            }
        }
    }

    private static List<String> described(List<SegmentChange> changes) {
        return changes.stream().map(c -> c.getCustomerId() + " " + c.getSegmentId() + " " + c.getChange() + " v" + c.getDefinitionVersion()
                + " at " + c.getAt() + ": " + c.getReason()).toList();
    }

    @Test
    void aShadowRuleNeverTouchesLiveOutputsAndChangesAsTheSameRuleWouldLive() {
        List<String> asLive;
        try (TopologyFixture live = new TopologyFixture()) {
            live.define("liked", "influence.likes >= 4.0", null, 2);
            likes(live);
            asLive = described(TopologyFixture.values(live.segmentChanges));
        }
        assertEquals(2, asLive.size(), asLive.toString());
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("liked", "influence.likes >= 2.0", null, 1);
            defineShadow(f, "liked", "influence.likes >= 4.0", 2);
            likes(f);
            assertEquals(asLive, described(TopologyFixture.values(f.shadowChanges)), "the shadow's changes are the live rule's");
            assertEquals(Map.of("c2", MembershipChange.ENTERED, "c3", MembershipChange.ENTERED, "c4", MembershipChange.ENTERED,
                    "c5", MembershipChange.ENTERED), byCustomer(TopologyFixture.values(f.segmentChanges)), "live: the v1 rule only");
            assertEquals(List.of("liked/c2", "liked/c3", "liked/c4", "liked/c5"), List.copyOf(TopologyFixture.latest(f.segmentMembers).keySet()));
            assertEquals(List.of("liked"), TopologyFixture.latest(f.customerProfiles).get("c5").getSegments(),
                    "a profile lists live segments only");

            // the same rule published LIVE at the shadow's version: promoted, the shadow ends
            f.define("liked", "influence.likes >= 4.0", null, 2);
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(Map.of("c2", MembershipChange.EXITED, "c3", MembershipChange.EXITED), byCustomer(TopologyFixture.values(f.segmentChanges)));
            List<SegmentChange> ended = TopologyFixture.values(f.shadowChanges);
            assertEquals(Map.of("c4", MembershipChange.EXITED, "c5", MembershipChange.EXITED), byCustomer(ended));
            assertTrue(ended.stream().allMatch(c -> c.getReason().equals("shadow ended (promoted, superseded or deleted)")), ended.toString());
            f.engage("fan9", ActivityType.LIKE, "3", T0.plusSeconds(1000));
            f.engage("fan8", ActivityType.LIKE, "3", T0.plusSeconds(1001));
            assertTrue(f.shadowChanges.isEmpty(), "no shadow any more");
            assertEquals(Map.of("c3", MembershipChange.ENTERED), byCustomer(TopologyFixture.values(f.segmentChanges)));
        }
    }

    @Test
    void aShadowNeedsAHigherVersionThanTheLiveOneAndItsOwnKey() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("liked", "influence.likes >= 2.0", null, 3);
            defineShadow(f, "liked", "influence.likes >= 4.0", 3);
            f.definitions.pipeInput("liked", SegmentDefinition.newBuilder().setId("liked").setEnterWhen("contactable").setVersion(9)
                    .setMode(Segment.SHADOW).build(), T0);
            f.definitions.pipeInput("odd", SegmentDefinition.newBuilder().setId("odd").setEnterWhen("contactable").setVersion(1)
                    .setMode("DRAFT").build(), T0);
            List<String> reasons = f.deadLetters.readRecordsToList().stream()
                    .map(r -> new String(r.headers().lastHeader(DeadLetters.HEADER_MESSAGE).value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
            assertEquals(3, reasons.size(), reasons.toString());
            assertTrue(reasons.get(0).contains("SHADOW segment 'liked' v3 needs a higher version than the live one (v3 in force)"), reasons.get(0));
            assertTrue(reasons.get(1).contains("key 'liked' of a SHADOW definition must be its id and ':shadow' ('liked:shadow')"), reasons.get(1));
            assertTrue(reasons.get(2).contains("segment 'odd' v1 mode 'DRAFT' is neither LIVE nor SHADOW"), reasons.get(2));
        }
    }

    @Test
    void aDefinitionChangeReEvaluatesEveryCustomer() {
        try (TopologyFixture f = new TopologyFixture()) {
            for (int c = 1; c <= 5; c++) {
                f.grant("c" + c, "twitter", "" + c, T0);
                for (int likes = 0; likes < c; likes++) {
                    f.engage("fan" + likes, ActivityType.LIKE, "" + c, T0.plusSeconds(10 + likes));
                }
            }
            assertTrue(f.segmentChanges.isEmpty());
            f.define("liked", "influence.likes >= 3.0", null, 1);
            assertTrue(f.segmentChanges.isEmpty(), "re-evaluation happens in the sweep, not in the definition's record");
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(Map.of("c3", MembershipChange.ENTERED, "c4", MembershipChange.ENTERED, "c5", MembershipChange.ENTERED),
                    byCustomer(TopologyFixture.values(f.segmentChanges)));

            f.define("liked", "influence.likes >= 5.0", null, 2);
            f.advanceWallClock(Duration.ofSeconds(2));
            List<SegmentChange> changes = TopologyFixture.values(f.segmentChanges);
            assertEquals(Map.of("c3", MembershipChange.EXITED, "c4", MembershipChange.EXITED), byCustomer(changes));
            assertTrue(changes.get(0).getReason().contains("is no longer true: influence.likes=3"), changes.get(0).getReason());
            assertEquals(2, changes.get(0).getDefinitionVersion());
            assertEquals(List.of("liked/c5"), List.copyOf(TopologyFixture.latest(f.segmentMembers).keySet()));

            f.define("liked", "influence.likes >= 1.0", null, 1);
            f.advanceWallClock(Duration.ofSeconds(2));
            assertTrue(f.segmentChanges.isEmpty(), "a lower version than the one held is ignored");

            f.definitions.pipeInput("liked", null, T0);
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals(Map.of("c5", MembershipChange.EXITED), byCustomer(TopologyFixture.values(f.segmentChanges)));
        }
    }

    @Test
    void dormantFiresByPunctuation() {
        try (TopologyFixture f = new TopologyFixture()) {
            quietAndBusy(f, () -> { });
            assertTrue(f.segmentChanges.isEmpty(), "nothing happened to 'quiet' itself");
            f.advanceWallClock(Duration.ofHours(1).plusSeconds(2));
            assertQuietTurnedDormantInASweep(f);

            f.post("1", day(41), "back again");
            List<TestRecord<String, SegmentChange>> back = f.segmentChanges.readRecordsToList();
            assertEquals(Map.of("quiet", MembershipChange.EXITED), byCustomer(back.stream().map(TestRecord::value).toList()));
            assertEquals(ChangeTrigger.EVENT, ChangeTrigger.of(back.get(0).headers()), "caused by the post");
        }
    }

    /**
     * A pass asked for by the process (a replay, at its end) runs at the next tick, not at the next
     * {@code segments.refresh.interval}, and says when every customer task has done it: time alone
     * changes then reach the outputs without waiting for the timed pass.
     */
    @Test
    void aRequestedPassRunsAtTheNextTickAndSaysWhenItIsDone() {
        try (TopologyFixture f = new TopologyFixture()) {
            // the pass the definition asked for runs before 'busy' moves stream time on: nobody dormant yet
            quietAndBusy(f, () -> f.advanceWallClock(Duration.ofSeconds(2)));
            assertTrue(f.segmentChanges.isEmpty());
            long request = f.settings.passes().request();
            assertFalse(f.settings.passes().done(request), "asked, not yet run");
            f.advanceWallClock(Duration.ofSeconds(1)); // an hour before the timed pass
            assertTrue(f.settings.passes().done(request), "the task's pass after the request is complete");
            assertQuietTurnedDormantInASweep(f);

            long next = f.settings.passes().request();
            assertTrue(next > request);
            assertFalse(f.settings.passes().done(next), "a new request waits for a new pass");
            f.advanceWallClock(Duration.ofSeconds(1));
            assertTrue(f.settings.passes().done(next));
            assertTrue(f.segmentChanges.isEmpty(), "nothing changed since: the second pass emits nothing");
        }
    }

    /** A dormancy rule; 'quiet' posts on day 1, then {@code between} runs, then 'busy' posts every other day to day 40. */
    private static void quietAndBusy(TopologyFixture f, Runnable between) {
        f.define("dormant", "daysSinceActivity >= 30", "daysSinceActivity < 1", 1);
        f.grant("quiet", "twitter", "1", T0);
        f.grant("busy", "twitter", "2", T0);
        f.post("1", day(1), "one post");
        between.run();
        for (int d = 2; d <= 40; d += 2) {
            f.post("2", day(d), "daily chatter");
        }
    }

    private static void assertQuietTurnedDormantInASweep(TopologyFixture f) {
        List<TestRecord<String, SegmentChange>> swept = f.segmentChanges.readRecordsToList();
        List<SegmentChange> changes = swept.stream().map(TestRecord::value).toList();
        assertEquals(Map.of("quiet", MembershipChange.ENTERED), byCustomer(changes));
        assertTrue(changes.get(0).getReason().contains("daysSinceActivity=39"), changes.get(0).getReason());
        assertEquals(ChangeTrigger.SWEEP, ChangeTrigger.of(swept.get(0).headers()), "found by a sweep, and says so");
    }

    @Test
    void onlyTransitionsAreEmitted() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("active", "activity.level >= 1.0", "activity.level < 0.5", 1);
            f.grant("alice", "twitter", "1", T0);
            for (int i = 0; i < 20; i++) {
                f.post("1", T0.plusSeconds(60L * (i + 1)), "post " + i);
            }
            f.advanceWallClock(Duration.ofHours(2));
            assertEquals(1, f.segmentChanges.readRecordsToList().size());
            assertEquals(1, f.segmentMembers.readRecordsToList().size());
        }
    }

    @Test
    void anInvalidRuleIsRefusedToDeadLettersAndTheOldDefinitionStays() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("liked", "influence.likes >= 1.0", null, 1);
            f.definitions.pipeInput("liked", SegmentDefinition.newBuilder().setId("liked").setEnterWhen("influence.likez >= 1")
                    .setVersion(2).build(), T0);
            List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
            assertEquals(1, dead.size());
            String message = DeadLetters.header(dead.get(0).headers(), DeadLetters.HEADER_MESSAGE);
            assertTrue(message.contains("segment 'liked' v2 enterWhen does not compile")
                    && message.contains("influence.likez") && message.contains("version 1 stays in force"), message);
            f.grant("alice", "twitter", "1", T0);
            f.engage("2", ActivityType.LIKE, "1", T0.plusSeconds(5));
            assertEquals(Map.of("alice", MembershipChange.ENTERED), byCustomer(TopologyFixture.values(f.segmentChanges)),
                    "version 1 still decides");
        }
    }

    @Test
    void aDisabledSegmentHasNoMembers() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("liked", "influence.likes >= 1.0", null, 1);
            f.grant("alice", "twitter", "1", T0);
            f.engage("2", ActivityType.LIKE, "1", T0.plusSeconds(5));
            f.definitions.pipeInput("liked", SegmentDefinition.newBuilder().setId("liked").setEnterWhen("influence.likes >= 1.0")
                    .setVersion(2).setEnabled(false).build(), T0);
            f.advanceWallClock(Duration.ofSeconds(2));
            List<SegmentChange> changes = TopologyFixture.values(f.segmentChanges);
            assertEquals(List.of(MembershipChange.ENTERED, MembershipChange.EXITED),
                    changes.stream().map(SegmentChange::getChange).toList());
            assertEquals("segment disabled (v2)", changes.get(1).getReason());
            f.engage("3", ActivityType.LIKE, "1", T0.plusSeconds(50));
            assertFalse(TopologyFixture.values(f.segmentChanges).stream().anyMatch(c -> c.getChange() == MembershipChange.ENTERED));
        }
    }

    @Test
    void theSegmentChangeCarriesWhatACampaignNeeds() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.define("gardeners", "context(\"garden\") >= 1.0", null, 1);
            f.grant("alice", "twitter", "1", T0, io.socialcrm.avro.ConsentScope.ACTIVITY, io.socialcrm.avro.ConsentScope.CONTENT,
                    io.socialcrm.avro.ConsentScope.MESSAGING);
            f.post("1", Instant.parse("2026-03-04T18:30:00Z"), "Sowing seedlings in the raised bed", "gardening");
            SegmentChange change = TopologyFixture.values(f.segmentChanges).get(0);
            assertEquals(MembershipChange.ENTERED, change.getChange());
            assertEquals("garden", change.getTopContexts().get(0));
            assertEquals(2 * 24 + 18, change.getBestHourOfWeek(), "Wednesday 18:00 UTC");
            assertTrue(change.getContactable());
            assertEquals(1, change.getDefinitionVersion());
        }
    }

    private static Map<String, MembershipChange> byCustomer(List<SegmentChange> changes) {
        return changes.stream().collect(Collectors.toMap(SegmentChange::getCustomerId, SegmentChange::getChange));
    }
}
