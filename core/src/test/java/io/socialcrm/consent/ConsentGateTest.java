package io.socialcrm.consent;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.Names;
import io.socialcrm.testing.TopologyFixture;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Rule 1: no consent, no processing; scopes decide what is analysed and kept. */
class ConsentGateTest {

    @Test
    void anUnconsentedActorLeavesNothingButAnonymousCounts() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.post("9", T0, "What a goal #soccer", "soccer");
            f.engage("9", ActivityType.REPLY, "8", T0.plusSeconds(10));
            f.mention("9", T0.plusSeconds(20), "7");
            f.flushMetrics();

            KeyValueStore<String, AccountConsent> consents = f.store(Names.ACCOUNT_CONSENTS);
            assertNull(consents.get("twitter:9"));
            assertEquals(0, count(f.customerState().all()));
            assertTrue(f.customerProfiles.isEmpty());
            assertTrue(f.segmentChanges.isEmpty());
            assertTrue(f.segmentMembers.isEmpty());
            List<ActivityMetrics> metrics = TopologyFixture.values(f.metrics);
            ActivityMetrics last = metrics.get(metrics.size() - 1);
            assertEquals(3, last.getActivitiesSeen());
            assertEquals(0, last.getActivitiesAccepted());
            assertEquals(3, last.getDroppedNoConsent());
            assertEquals(0, last.getDistinctActiveAccounts());
            assertFalse(last.toString().contains("9\""), "metrics name no account");
        }
    }

    @Test
    void activityBeforeConsentIsNotCountedLater() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.post("1", T0, "early post");
            f.engage("2", ActivityType.SHARE, "1", T0.plusSeconds(5));
            f.grant("alice", "twitter", "1", T0.plusSeconds(3600));
            f.post("1", T0.plusSeconds(7200), "later post");
            CustomerProfile profile = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(1.0, profile.getActivityLevel(), 1e-3, "only the post after the consent");
            assertEquals(0.0, profile.getInfluence().getSharesReceived(), 0.0, "the share before the consent is gone");
        }
    }

    @Test
    void contentScopeGatesContextsAndProfileScopeGatesFollowers() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("activity-only", "twitter", "1", T0, ConsentScope.ACTIVITY);
            f.grant("with-content", "twitter", "2", T0, ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE,
                    ConsentScope.MESSAGING);
            Instant t = T0.plusSeconds(60);
            for (String actor : List.of("1", "2")) {
                f.pipe(TopologyFixture.act("twitter", actor, ActivityType.POST, t).setText("Premier league derby today")
                        .setHashtags(List.of("soccer")).setActorFollowers(5000L).build());
                f.profiles.pipeInput("twitter:" + actor, ProfileSnapshot.newBuilder().setPlatform("twitter")
                        .setPlatformUserId(actor).setFollowers(12345).setFollowing(10).setPosts(99).setFetchedAt(t.plusSeconds(1))
                        .build(), t.plusSeconds(1));
            }
            Map<String, CustomerProfile> profiles = TopologyFixture.latest(f.customerProfiles);
            CustomerProfile activityOnly = profiles.get("activity-only");
            CustomerProfile withContent = profiles.get("with-content");
            assertTrue(activityOnly.getContexts().isEmpty(), "no CONTENT scope: text not analysed");
            assertEquals(0, activityOnly.getInfluence().getFollowers(), "no PROFILE scope: followers not kept");
            assertFalse(activityOnly.getContactable());
            assertTrue(withContent.getContexts().containsKey("soccer"), withContent.getContexts().toString());
            assertTrue(withContent.getContexts().containsKey("english-premier-league"), "phrase 'premier league' matched");
            assertEquals(12345, withContent.getInfluence().getFollowers(), "latest profile snapshot");
            assertTrue(withContent.getContactable(), "MESSAGING scope");
        }
    }

    @Test
    void anOlderConsentNeverOverwritesTheOneHeld() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0.plusSeconds(100));
            f.revoke("alice", "twitter", "1", T0.plusSeconds(50));
            f.post("1", T0.plusSeconds(200), "still here");
            CustomerProfile profile = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(1.0, profile.getActivityLevel(), 1e-3, "the older revocation did not apply");
        }
    }

    @Test
    void revocationUnlinksTheAccountAndLaterActivityIsDropped() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            f.post("1", T0.plusSeconds(60), "hello");
            f.revoke("alice", "twitter", "1", T0.plusSeconds(120));
            f.post("1", T0.plusSeconds(180), "after revoking");
            f.engage("2", ActivityType.LIKE, "1", T0.plusSeconds(190));
            assertFalse(TopologyFixture.latest(f.customerProfiles).containsKey("alice"), "profile tombstoned");
            assertNull(f.customerState().get("alice"), "state removed");
            KeyValueStore<String, AccountConsent> consents = f.store(Names.ACCOUNT_CONSENTS);
            assertEquals(ConsentStatus.REVOKED, consents.get("twitter:1").getStatus());
            assertNull(consents.get("twitter:1").getCustomerId(), "a revoked account keeps no link to its customer");
        }
    }

    @Test
    void aStatusThisVersionDoesNotKnowIsTreatedAsRevoked() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            f.consents.pipeInput("twitter:1", TopologyFixture.consent("alice", "twitter", "1", T0.plusSeconds(5),
                    ConsentStatus.UNKNOWN, ConsentScope.ACTIVITY), T0.plusSeconds(5));
            f.post("1", T0.plusSeconds(60), "hello");
            assertNull(f.customerState().get("alice"));
        }
    }

    @Test
    void aCustomerWithSeveralAccountsIsOneProfile() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            f.grant("alice", "instagram", "a1", T0);
            f.post("1", T0.plusSeconds(60), "on twitter");
            f.pipe(TopologyFixture.act("instagram", "a1", ActivityType.POST, T0.plusSeconds(70)).setText("on instagram").build());
            f.pipe(TopologyFixture.act("instagram", "b2", ActivityType.LIKE, T0.plusSeconds(80)).setTargetUserId("a1").build());
            f.engage("3", ActivityType.SHARE, "1", T0.plusSeconds(90));
            CustomerProfile profile = TopologyFixture.latest(f.customerProfiles).get("alice");
            assertEquals(2, profile.getAccounts().size());
            assertEquals(2.0, profile.getActivityLevel(), 1e-3);
            assertEquals(1.0, profile.getInfluence().getLikesReceived(), 1e-3);
            assertEquals(1.0, profile.getInfluence().getSharesReceived(), 1e-3);
            assertEquals(2.0, profile.getInfluence().getDistinctEngagers(), 1e-3);
        }
    }

    private static int count(java.util.Iterator<?> it) {
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        if (it instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // test helper
            }
        }
        return n;
    }
}
