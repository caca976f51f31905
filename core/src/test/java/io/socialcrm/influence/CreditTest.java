package io.socialcrm.influence;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.Influence;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.common.Names;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.testing.TopologyFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule 2: credit flows to the targets of an action, anonymously, once per event. */
class CreditTest {

    private static Influence influence(TopologyFixture f, String customer) {
        return TopologyFixture.latest(f.customerProfiles).get(customer).getInfluence();
    }

    @Test
    void eachKindOfActionCreditsItsTarget() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            int s = 0;
            for (ActivityType type : List.of(ActivityType.SHARE, ActivityType.QUOTE, ActivityType.REPLY, ActivityType.COMMENT,
                    ActivityType.LIKE, ActivityType.FOLLOW)) {
                f.engage("2" + s, type, "1", T0.plusMillis(++s));
            }
            f.mention("30", T0.plusMillis(++s), "1", "4");
            Influence i = influence(f, "alice");
            assertEquals(2.0, i.getSharesReceived(), 1e-6, "SHARE and QUOTE");
            assertEquals(2.0, i.getRepliesReceived(), 1e-6, "REPLY and COMMENT");
            assertEquals(1.0, i.getLikesReceived(), 1e-6);
            assertEquals(1.0, i.getFollowsReceived(), 1e-6);
            assertEquals(1.0, i.getMentionsReceived(), 1e-6);
            assertEquals(7.0, i.getDistinctEngagers(), 1e-6, "seven different accounts engaged");
        }
    }

    @Test
    void selfCreditCountsNothingAndTheTargetIsNotCreditedTwice() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            f.engage("1", ActivityType.SHARE, "1", T0.plusSeconds(1));
            f.mention("1", T0.plusSeconds(2), "1");
            f.pipe(TopologyFixture.act("twitter", "2", ActivityType.REPLY, T0.plusSeconds(3)).setTargetUserId("1")
                    .setMentionedUserIds(List.of("1", "1")).build());
            Influence i = influence(f, "alice");
            assertEquals(0.0, i.getSharesReceived(), 0.0);
            assertEquals(0.0, i.getMentionsReceived(), 0.0, "the reply's mention of its own target is the reply");
            assertEquals(1.0, i.getRepliesReceived(), 1e-6);
            assertEquals(1.0, i.getDistinctEngagers(), 1e-6, "only account 2");
        }
    }

    @Test
    void aDuplicateEventIdCountsOnce() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            SocialActivity share = TopologyFixture.act("twitter", "2", ActivityType.SHARE, T0.plusSeconds(1))
                    .setEventId("tweet-42").setTargetUserId("1").build();
            f.pipe(share);
            f.pipe(share);
            f.pipe(SocialActivity.newBuilder(share).setOccurredAt(T0.plusSeconds(3600)).build());
            assertEquals(1.0, influence(f, "alice").getSharesReceived(), 1e-6);
        }
    }

    @Test
    void anUnconsentedActorCreditsAConsentedTargetWithoutLeavingItsId() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            for (int i = 0; i < 5; i++) {
                f.engage("unconsented-" + (i % 3), ActivityType.LIKE, "1", T0.plusSeconds(i + 1));
            }
            Influence i = influence(f, "alice");
            assertEquals(5.0, i.getLikesReceived(), 1e-6);
            assertEquals(3.0, i.getDistinctEngagers(), 1e-6, "three distinct engagers, counted by salted hash");
            CustomerState state = f.customerState().get("alice");
            byte[] stored = InternalSerde.of(CustomerState.class).serialize("x", state);
            assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("unconsented"),
                    "no engager id in the customer's state");
        }
    }

    @Test
    void anUnconsentedTargetKeepsNothing() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("bob", "twitter", "2", T0);
            f.engage("2", ActivityType.SHARE, "77", T0.plusSeconds(1));
            f.mention("2", T0.plusSeconds(2), "78");
            assertNull(f.customerState().get("77"));
            assertNull(f.store(Names.ACCOUNT_CONSENTS).get("twitter:77"));
            assertTrue(TopologyFixture.latest(f.customerProfiles).keySet().stream().allMatch("bob"::equals));
        }
    }
}
