package io.socialcrm.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the console's segment pages show: entries and exits per window, a segment's size back in time, the latest changes. */
class ChangeFeedTest {
    private static final long NOW = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();
    private static final long MIN = 60_000L;

    private static SegmentChange change(String segment, String customer, MembershipChange what, long at) {
        return SegmentChange.newBuilder().setCustomerId(customer).setSegmentId(segment).setChange(what).setReason("because")
                .setDefinitionVersion(1).setAt(Instant.ofEpochMilli(at)).setInfluenceScore(50).setTopContexts(List.of())
                .setBestHourOfWeek(null).setContactable(false).build();
    }

    @Test
    void aSegmentsSizeOverTheDayIsItsSizeNowLessTheChangesSince() {
        ChangeFeed feed = new ChangeFeed();
        // 3 entries 20 hours ago, 1 exit 30 minutes ago, 2 entries 2 days ago (outside the day)
        for (int i = 0; i < 3; i++) {
            feed.accept(change("vip", "c" + i, MembershipChange.ENTERED, NOW - 20 * 60 * MIN));
        }
        feed.accept(change("vip", "c0", MembershipChange.EXITED, NOW - 30 * MIN));
        feed.accept(change("vip", "old1", MembershipChange.ENTERED, NOW - 48 * 60 * MIN));
        feed.accept(change("other", "c9", MembershipChange.ENTERED, NOW - 5 * MIN));
        feed.caughtUp(NOW);
        ChangeFeed.Stats s = feed.stats("vip", 4, NOW);
        assertEquals(0, s.enteredLastHour());
        assertEquals(1, s.exitedLastHour());
        assertEquals(3, s.enteredLastDay());
        assertEquals(1, s.exitedLastDay());
        List<long[]> sizes = s.sizes();
        assertArrayEquals(new long[] {NOW, 4}, sizes.get(sizes.size() - 1), "now: the member count");
        assertEquals(5, at(sizes, NOW - 60 * MIN), "before the exit, one more");
        assertEquals(2, at(sizes, NOW - 21 * 60 * MIN), "before the three entries, three fewer");
        assertEquals(24 * 12 + 1, sizes.size(), "one point per 5 minutes over the day, and now");
    }

    @Test
    void theLatestChangesComeNewestFirstAndListenersHearOnlyNewOnes() {
        ChangeFeed feed = new ChangeFeed();
        List<String> heard = new ArrayList<>();
        feed.subscribe(c -> heard.add(c.path("customerId").asText()));
        feed.accept(change("vip", "history", MembershipChange.ENTERED, NOW - 10 * MIN));
        feed.caughtUp(NOW);
        feed.accept(change("vip", "new1", MembershipChange.ENTERED, NOW - MIN));
        feed.accept(change("other", "new2", MembershipChange.ENTERED, NOW));
        assertEquals(List.of("new1", "new2"), heard, "the history read at start is not replayed to a page");
        assertEquals(List.of("new2", "new1", "history"), feed.recent(null, 10).stream().map(c -> c.path("customerId").asText()).toList());
        assertEquals(List.of("new1", "history"), feed.recent("vip", 10).stream().map(c -> c.path("customerId").asText()).toList());
    }

    private static long at(List<long[]> sizes, long time) {
        long size = -1;
        for (long[] point : sizes) {
            if (point[0] <= time) {
                size = point[1];
            }
        }
        return size;
    }
}
