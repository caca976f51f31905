package io.socialcrm.customers;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.ErasureAction;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.ContactPlan;
import io.socialcrm.common.Names;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Contact opportunities of campaign segments in the test driver: the customer's own best hour, once
 * and only when stream time reaches it; quiet hours read in their zone; the minimum interval; and
 * every cancellation (an exit, MESSAGING revoked, an erasure). {@code T0} is a Monday, 09:00 UTC.
 */
class ContactTopologyTest {
    private static final Instant LAST_WEEK = T0.minus(Duration.ofDays(7));
    private static final ConsentScope[] MESSAGING = {ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE,
        ConsentScope.MESSAGING};
    /** No decay: the rhythm and the activity level are plain counts. */
    private static final Map<String, String> PLAIN = Map.of("influence.halflife", "off", "context.halflife", "off",
            "contact.quiet.hours", "none");

    /**
     * Defines a campaign segment. Its record's time is stream time for the customer stage (which
     * gets every definition): a week before T0, so that last week's activity is not late.
     */
    private static void campaign(TopologyFixture f, String id, String enterWhen, int version, boolean enabled) {
        f.definitions.pipeInput(id, SegmentDefinition.newBuilder().setId(id).setDescription(id).setEnterWhen(enterWhen)
                .setVersion(version).setEnabled(enabled).setCampaign(true).build(), LAST_WEEK.minus(Duration.ofDays(1)));
    }

    /** {@code n} posts by the account, one a minute from {@code from}. */
    private static void posts(TopologyFixture f, String userId, Instant from, int n) {
        for (int i = 0; i < n; i++) {
            f.post(userId, from.plus(Duration.ofMinutes(i)), "hello");
        }
    }

    /** Moves the customer stage's stream time: a post of a customer who has nothing to do with the test. */
    private static void clock(TopologyFixture f, Instant at) {
        f.post("u99", at, "tick");
    }

    private static ContactPlan plan(TopologyFixture f, String customerId) {
        KeyValueStore<String, ContactPlan> plans = f.store(Names.CONTACT_PLANS);
        return plans.get(customerId);
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void anOpportunityIsWrittenOnceAtTheCustomersOwnBestHour() {
        try (TopologyFixture f = new TopologyFixture(PLAIN)) {
            campaign(f, "regulars", "activity.level >= 5.0", 1, true);
            f.define("regulars-plain", "activity.level >= 5.0", null, 1); // the same rule, no campaign: no opportunity
            f.grant("clock", "twitter", "u99", T0.minus(Duration.ofDays(30)));
            f.grant("c1", "twitter", "u1", T0.minus(Duration.ofDays(30)), MESSAGING);
            f.grant("c3", "twitter", "u3", T0.minus(Duration.ofDays(30)), MESSAGING);
            f.grant("c4", "twitter", "u4", T0.minus(Duration.ofDays(30))); // no MESSAGING: never an opportunity
            posts(f, "u1", LAST_WEEK.plus(Duration.ofHours(5)), 4); // Monday 14:00-14:03
            posts(f, "u3", LAST_WEEK.plus(Duration.ofDays(2)).plus(Duration.ofHours(11)), 4); // Wednesday 20:00-20:03
            posts(f, "u4", LAST_WEEK.plus(Duration.ofHours(5)), 4);
            f.post("u1", T0, "hello"); // the fifth: c1 enters on Monday 09:00
            f.post("u3", T0.plusSeconds(60), "hello");
            f.post("u4", T0.plusSeconds(60), "hello");
            assertEquals(6, TopologyFixture.values(f.segmentChanges).size(), "c1, c3 and c4 entered both segments");
            assertTrue(f.contactOpportunities.isEmpty(), "nothing is written before it is due");
            assertNull(plan(f, "c4"), "no MESSAGING scope, no opportunity");

            clock(f, at("2026-03-02T13:59:00Z"));
            assertTrue(f.contactOpportunities.isEmpty(), "not yet due");
            clock(f, at("2026-03-02T14:00:30Z"));
            List<ContactOpportunity> due = TopologyFixture.values(f.contactOpportunities);
            assertEquals(1, due.size(), due.toString());
            ContactOpportunity o = due.get(0);
            assertEquals("c1", o.getCustomerId());
            assertEquals("DUE", o.getStatus());
            assertEquals("regulars", o.getSegmentId());
            assertEquals(1, o.getDefinitionVersion());
            assertEquals(T0, o.getEnteredAt());
            assertEquals(at("2026-03-02T14:00:00Z"), o.getContactAt(), "the next Monday 14:00, c1's hour");
            assertEquals(at("2026-03-02T15:00:00Z"), o.getExpiresAt());
            assertEquals(14, o.getHourOfWeek());
            assertEquals(at("2026-03-02T14:00:30Z"), o.getAt(), "written at the first look after it became due");
            assertTrue(o.getReason().contains("activity.level"), o.getReason());
            assertTrue(o.getConfidence() > 0.3 && o.getConfidence() < 1, "a peaked rhythm seen five times: " + o.getConfidence());
            assertNull(o.getCancelReason());

            clock(f, at("2026-03-04T20:01:00Z"));
            due = TopologyFixture.values(f.contactOpportunities);
            assertEquals(1, due.size(), due.toString());
            assertEquals("c3", due.get(0).getCustomerId());
            assertEquals(at("2026-03-04T20:00:00Z"), due.get(0).getContactAt(), "c3's own hour: Wednesday 20:00");
            assertEquals(68, due.get(0).getHourOfWeek());

            clock(f, at("2026-03-12T00:00:00Z"));
            clock(f, at("2026-03-20T00:00:00Z"));
            assertTrue(f.contactOpportunities.isEmpty(), "each only once");
            assertNull(plan(f, "c1"), "forgotten after the minimum interval");
        }
    }

    @Test
    void whenNoRecordComesStreamTimeIsTakenToMoveOnWithTheWallClock() {
        try (TopologyFixture f = new TopologyFixture(PLAIN)) {
            campaign(f, "regulars", "activity.level >= 5.0", 1, true);
            f.grant("c1", "twitter", "u1", T0.minus(Duration.ofDays(30)), MESSAGING);
            posts(f, "u1", LAST_WEEK.plus(Duration.ofHours(5)), 4);
            f.post("u1", T0, "hello"); // enters at 09:00; its moment is 14:00, and no record comes after
            f.advanceWallClock(Duration.ofSeconds(1));
            f.advanceWallClock(Duration.ofHours(4).plusMinutes(59));
            assertTrue(f.contactOpportunities.isEmpty(), "13:59: not yet");
            f.advanceWallClock(Duration.ofMinutes(1));
            ContactOpportunity o = single(f);
            assertEquals("DUE", o.getStatus());
            assertEquals(at("2026-03-02T14:00:00Z"), o.getAt(), "written at its moment by the wall clock, stream time standing still");
        }
    }

    @Test
    void quietHoursAreReadInTheirTimeZone() {
        Map<String, Instant> chosen = new java.util.TreeMap<>();
        for (String zone : List.of("UTC", "Europe/Paris")) {
            try (TopologyFixture f = new TopologyFixture(Map.of("influence.halflife", "off", "context.halflife", "off",
                    "contact.quiet.hours", "22:00-08:00", "contact.time.zone", zone))) {
                campaign(f, "regulars", "activity.level >= 7.0", 1, true);
                f.grant("c1", "twitter", "u1", T0.minus(Duration.ofDays(30)), MESSAGING);
                posts(f, "u1", LAST_WEEK.plus(Duration.ofHours(12)), 4); // Monday 21:00 UTC (22:00 in Paris, in winter)
                posts(f, "u1", LAST_WEEK.plus(Duration.ofHours(10)), 2); // Monday 19:00 UTC
                f.post("u1", T0, "hello");
                chosen.put(zone, plan(f, "c1").getOpportunity().getContactAt());
            }
        }
        assertEquals(at("2026-03-02T21:00:00Z"), chosen.get("UTC"), "21:00 UTC is not quiet in UTC");
        assertEquals(at("2026-03-02T19:00:00Z"), chosen.get("Europe/Paris"), "22:00 in Paris is: the next strongest hour");
    }

    @Test
    void anExitARevocationAndAnErasureCancelWhatIsScheduled() {
        try (TopologyFixture f = new TopologyFixture(PLAIN)) {
            campaign(f, "regulars", "activity.level >= 5.0", 1, true);
            f.grant("clock", "twitter", "u99", T0.minus(Duration.ofDays(30)));
            for (String c : List.of("1", "2", "3")) {
                f.grant("c" + c, "twitter", "u" + c, T0.minus(Duration.ofDays(30)), MESSAGING);
                posts(f, "u" + c, LAST_WEEK.plus(Duration.ofHours(5)), 5); // enters last week, at Monday 14:04
            }
            // last week's opportunities fall in the hour they entered in, and are written when stream time gets there
            clock(f, LAST_WEEK.plus(Duration.ofHours(5)).plusSeconds(300));
            List<ContactOpportunity> lastWeek = TopologyFixture.values(f.contactOpportunities);
            assertEquals(3, lastWeek.size(), lastWeek.toString());
            assertTrue(lastWeek.stream().allMatch(o -> o.getStatus().equals("DUE")
                    && o.getContactAt().equals(LAST_WEEK.plus(Duration.ofHours(5)).plusSeconds(240))), lastWeek.toString());
            clock(f, T0.minusSeconds(60));

            // leave and come back this week: next Monday 14:00 is more than a day after the last contact
            campaign(f, "regulars", "activity.level >= 5.0", 2, false);
            f.advanceWallClock(Duration.ofSeconds(2)); // the sweep after the definition: everyone out
            campaign(f, "regulars", "activity.level >= 5.0", 3, true);
            f.post("u1", T0, "hello");
            f.post("u2", T0, "hello");
            f.post("u3", T0, "hello");
            for (String c : List.of("c1", "c2", "c3")) {
                assertEquals(at("2026-03-02T14:00:00Z"), plan(f, c).getOpportunity().getContactAt(), c);
            }
            f.contactOpportunities.readRecordsToList();

            // c2 narrows its consent: MESSAGING goes
            f.grant("c2", "twitter", "u2", T0.plusSeconds(60), ConsentScope.ACTIVITY, ConsentScope.CONTENT);
            ContactOpportunity revoked = single(f);
            assertEquals("c2", revoked.getCustomerId());
            assertEquals("CANCELLED", revoked.getStatus());
            assertEquals("MESSAGING_REVOKED", revoked.getCancelReason());
            assertEquals(at("2026-03-02T14:00:00Z"), revoked.getContactAt(), "the same opportunity");

            // c3 is erased: cancelled, and the plan goes with everything else
            f.erasures.pipeInput("c3", new ErasureRequest("req-3", "c3", T0.plusSeconds(120)), T0.plusSeconds(120));
            ContactOpportunity erased = single(f);
            assertEquals("c3", erased.getCustomerId());
            assertEquals("ERASED", erased.getCancelReason());
            assertNull(plan(f, "c3"), "erasure reaches contact-plans");
            ErasureReceipt receipt = TopologyFixture.values(f.receipts).get(0);
            assertTrue(receipt.getRemoved().stream().anyMatch(a -> a.getTarget().equals(Names.CONTACT_PLANS) && a.getRecords() == 1),
                    receipt.getRemoved().stream().map(ErasureAction::toString).toList().toString());

            // c1 leaves the segment before its hour
            campaign(f, "regulars", "activity.level >= 5.0", 4, false);
            f.advanceWallClock(Duration.ofSeconds(2));
            ContactOpportunity exited = single(f);
            assertEquals("c1", exited.getCustomerId());
            assertEquals("EXITED", exited.getCancelReason());
            assertNull(plan(f, "c1"), "nothing kept: its last contact was a week ago, more than the minimum interval");

            clock(f, at("2026-03-02T14:30:00Z"));
            assertTrue(f.contactOpportunities.isEmpty(), "nothing cancelled is written again at its hour");
        }
    }

    @Test
    void oneOpportunityAtATimeAndAnotherCampaignTakesOverWhenItIsCancelled() {
        try (TopologyFixture f = new TopologyFixture(PLAIN)) {
            campaign(f, "starters", "activity.level >= 3.0", 1, true);
            campaign(f, "regulars", "activity.level >= 5.0", 1, true);
            f.grant("c1", "twitter", "u1", T0.minus(Duration.ofDays(30)), MESSAGING);
            posts(f, "u1", LAST_WEEK.plus(Duration.ofHours(5)), 2); // Monday 14:00 last week
            f.post("u1", T0, "hello"); // the third: enters starters
            assertEquals("starters", plan(f, "c1").getOpportunity().getSegmentId());
            f.post("u1", T0.plusSeconds(60), "hello");
            f.post("u1", T0.plusSeconds(120), "hello"); // the fifth: enters regulars, while starters' is scheduled
            assertEquals("starters", plan(f, "c1").getOpportunity().getSegmentId(), "one at a time");

            campaign(f, "starters", "activity.level >= 3.0", 2, false);
            f.advanceWallClock(Duration.ofSeconds(2));
            List<ContactOpportunity> written = TopologyFixture.values(f.contactOpportunities);
            assertEquals(2, written.size(), written.toString());
            assertEquals("starters", written.get(0).getSegmentId());
            assertEquals("EXITED", written.get(0).getCancelReason());
            ContactOpportunity next = written.get(1);
            assertEquals("regulars", next.getSegmentId(), "the campaign segment c1 is still in takes over");
            assertTrue(next.getReason().startsWith("enterWhen (activity.level >= 5.0)"), "with its entry's reason: " + next.getReason());
            // c1's three posts this morning outweigh last week's two at 14:00: the hour now running is
            // the best, so the moment is now, and it is written at once
            assertEquals("DUE", next.getStatus());
            assertEquals(at("2026-03-02T09:02:00Z"), next.getContactAt());
            assertEquals(9, next.getHourOfWeek());
        }
    }

    @Test
    void theMinimumIntervalPutsTheNextOpportunityOffToTheCustomersHourAfterIt() {
        try (TopologyFixture f = new TopologyFixture(PLAIN)) {
            campaign(f, "regulars", "activity.level >= 5.0", 1, true);
            f.grant("clock", "twitter", "u99", T0.minus(Duration.ofDays(30)));
            f.grant("c1", "twitter", "u1", T0.minus(Duration.ofDays(30)), MESSAGING);
            posts(f, "u1", LAST_WEEK.plus(Duration.ofHours(5)), 4);
            f.post("u1", T0, "hello");
            clock(f, at("2026-03-02T14:05:00Z"));
            assertEquals("DUE", single(f).getStatus());
            // out at 14:05 (the opportunity, written, is withdrawn before it expires), back in at 16:00
            campaign(f, "regulars", "activity.level >= 5.0", 2, false);
            f.advanceWallClock(Duration.ofSeconds(2));
            assertEquals("EXITED", single(f).getCancelReason());
            assertNotNull(plan(f, "c1"), "the last contact's time is kept until the minimum interval has passed");
            campaign(f, "regulars", "activity.level >= 5.0", 3, true);
            f.post("u1", at("2026-03-02T16:00:00Z"), "hello");
            assertEquals(at("2026-03-09T14:00:00Z"), plan(f, "c1").getOpportunity().getContactAt(),
                    "not before a day after the last (Monday 14:00): the customer's best hour after that, next Monday 14:00");
        }
    }

    private static ContactOpportunity single(TopologyFixture f) {
        List<ContactOpportunity> written = TopologyFixture.values(f.contactOpportunities);
        assertEquals(1, written.size(), written.toString());
        return written.get(0);
    }
}
