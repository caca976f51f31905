package io.socialcrm.privacy;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.AccessRequest;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.CustomerUnmerge;
import io.socialcrm.avro.ErasureAction;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.Influence;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.CompactionMarkers;
import io.socialcrm.common.Names;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.testing.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Revocation, narrowed scopes, erasure with its receipt, and merges, rule by rule (rule 7 of docs/processing-rules.md). */
class PrivacyTopologyTest {
    private static final Instant T1 = T0.plusSeconds(3600);

    /** A campaign segment of the customers with MESSAGING scope: an entry gives a contact opportunity (store contact-plans). */
    private static void defineReachable(TopologyFixture f) {
        f.definitions.pipeInput("reachable", io.socialcrm.avro.SegmentDefinition.newBuilder().setId("reachable").setDescription("reachable")
                .setEnterWhen("contactable").setExitWhen("!contactable").setVersion(1).setEnabled(true).setCampaign(true).build(), T0);
    }

    /** alice: twitter 1 and instagram a1, both receiving engagement; bob: twitter 2. Everyone is in segment 'all'. */
    private static TopologyFixture population() {
        TopologyFixture f = new TopologyFixture(Map.of("influence.halflife", "off", "influence.min.population", "1"));
        f.define("all", "accounts >= 1", "accounts < 1", 1);
        f.define("engaged", "influence.shares >= 1.0", "influence.shares < 1.0", 1);
        // a campaign segment: alice's entry gives her a contact opportunity (store contact-plans)
        defineReachable(f);
        f.grant("alice", "twitter", "1", T0, ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE, ConsentScope.MESSAGING);
        f.grant("alice", "instagram", "a1", T0);
        f.grant("bob", "twitter", "2", T0);
        f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(10));
        f.engage("8", ActivityType.SHARE, "1", T0.plusSeconds(11));
        f.engage("9", ActivityType.REPLY, "1", T0.plusSeconds(12));
        f.pipe(TopologyFixture.act("instagram", "x", ActivityType.LIKE, T0.plusSeconds(13)).setTargetUserId("a1").build());
        f.pipe(TopologyFixture.act("instagram", "x", ActivityType.SHARE, T0.plusSeconds(14)).setTargetUserId("a1").build());
        f.post("1", T0.plusSeconds(20), "watching the premier league tonight", "premierleague");
        f.engage("9", ActivityType.SHARE, "2", T0.plusSeconds(30));
        f.mention("9", T0.plusSeconds(31), "2");
        return f;
    }

    /** Profiles as customer-profiles reads once compacted, kept current across reads of the output. */
    private static final class Profiles {
        private final TopologyFixture f;
        private final Map<String, CustomerProfile> latest = new HashMap<>();

        Profiles(TopologyFixture f) {
            this.f = f;
        }

        CustomerProfile get(String id) {
            f.customerProfiles.readRecordsToList().forEach(r -> {
                if (r.value() == null) {
                    latest.remove(r.key());
                } else {
                    latest.put(r.key(), r.value());
                }
            });
            return latest.get(id);
        }
    }

    private static <K, V> int count(KeyValueStore<K, V> store) {
        int n = 0;
        try (KeyValueIterator<K, V> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void revokingOneAccountRemovesItsContributionAndKeepsTheOthers() {
        try (TopologyFixture f = population()) {
            Profiles profiles = new Profiles(f);
            CustomerProfile before = profiles.get("alice");
            assertEquals(3.0, before.getInfluence().getSharesReceived(), 1e-9, "two on twitter, one on instagram");
            assertTrue(before.getContactable());
            assertTrue(before.getContexts().containsKey("soccer"), "the post's context: " + before.getContexts());
            f.segmentChanges.readRecordsToList();

            f.revoke("alice", "twitter", "1", T1);
            CustomerProfile after = profiles.get("alice");
            assertEquals(List.of("instagram:a1"), after.getAccounts().stream().map(a -> a.getAccountKey()).toList());
            Influence i = after.getInfluence();
            assertEquals(1.0, i.getSharesReceived(), 1e-9, "instagram's share only");
            assertEquals(1.0, i.getLikesReceived(), 1e-9);
            assertEquals(0.0, i.getRepliesReceived(), 1e-9, "the reply went to the revoked account");
            assertTrue(after.getContexts().isEmpty(), "contexts came from the revoked account's post");
            assertFalse(after.getContactable(), "MESSAGING was granted on the revoked account only");
            assertEquals(Map.of("reachable", MembershipChange.EXITED), changes(f),
                    "no longer contactable; still engaged (1 share) and in 'all'");
        }
    }

    private static Map<String, MembershipChange> changes(TopologyFixture f) {
        Map<String, MembershipChange> out = new TreeMap<>();
        for (SegmentChange c : TopologyFixture.values(f.segmentChanges)) {
            out.put(c.getSegmentId(), c.getChange());
        }
        return out;
    }

    @Test
    void narrowedScopesRemoveWhatTheyNoLongerAllow() {
        try (TopologyFixture f = population()) {
            Profiles profiles = new Profiles(f);
            f.profiles.pipeInput("twitter:1", io.socialcrm.avro.ProfileSnapshot.newBuilder().setPlatform("twitter")
                    .setPlatformUserId("1").setFollowers(5000).setFollowing(10).setPosts(100).setFetchedAt(T0.plusSeconds(40)).build(),
                    T0.plusSeconds(40));
            CustomerProfile before = profiles.get("alice");
            assertEquals(5000, before.getInfluence().getFollowers());
            assertFalse(before.getContexts().isEmpty());

            f.grant("alice", "twitter", "1", T1, ConsentScope.ACTIVITY);
            CustomerProfile after = profiles.get("alice");
            assertEquals(0, after.getInfluence().getFollowers(), "PROFILE withdrawn: follower counts go");
            assertTrue(after.getContexts().isEmpty(), "CONTENT withdrawn: contexts from text go");
            assertFalse(after.getContactable(), "MESSAGING withdrawn");
            assertEquals(3.0, after.getInfluence().getSharesReceived(), 1e-9, "ACTIVITY kept: influence stays");

            f.grant("alice", "twitter", "1", T1.plusSeconds(1), ConsentScope.CONTENT);
            assertEquals(1.0, profiles.get("alice").getInfluence().getSharesReceived(), 1e-9, "ACTIVITY withdrawn: its counters go");
        }
    }

    @Test
    void erasureRemovesEveryTraceAndReceiptsSayWhat() {
        try (TopologyFixture f = population()) {
            Profiles profiles = new Profiles(f);
            assertEquals(3, TopologyFixture.latest(f.segmentMembers).keySet().stream().filter(k -> k.endsWith("/alice")).count());
            f.segmentChanges.readRecordsToList();
            f.erasures.pipeInput("alice", new ErasureRequest("req-1", "alice", T1), T1);

            List<TestRecord<String, SegmentChange>> exits = f.segmentChanges.readRecordsToList();
            assertEquals(Map.of("all", MembershipChange.EXITED, "engaged", MembershipChange.EXITED, "reachable", MembershipChange.EXITED),
                    exits.stream().collect(java.util.stream.Collectors.toMap(r -> r.value().getSegmentId(), r -> r.value().getChange())));
            Map<String, SegmentMembership> members = new HashMap<>();
            f.segmentMembers.readRecordsToList().forEach(r -> members.put(r.key(), r.value()));
            assertEquals(java.util.Set.of("all/alice", "engaged/alice", "reachable/alice"), members.keySet());
            assertTrue(members.values().stream().allMatch(java.util.Objects::isNull), "tombstones on segment-members");
            assertNull(profiles.get("alice"), "tombstone on customer-profiles");

            List<ErasureReceipt> receipts = TopologyFixture.values(f.receipts);
            assertEquals(1, receipts.size());
            ErasureReceipt receipt = receipts.get(0);
            assertEquals("req-1", receipt.getRequestId());
            assertEquals("alice", receipt.getCustomerId());
            assertTrue(receipt.getHeldData());
            assertEquals(2, receipt.getAccountsRemoved());
            assertEquals(List.of("all", "engaged", "reachable"), receipt.getSegmentsExited());
            Map<String, Long> removed = new TreeMap<>();
            for (ErasureAction a : receipt.getRemoved()) {
                removed.put(a.getTargetKind() + ":" + a.getTarget(), a.getRecords());
            }
            assertEquals(Map.of("STATE_STORE:" + Names.CUSTOMER_STATE, 1L, "STATE_STORE:" + Names.SEGMENT_INDEX, 3L,
                    "STATE_STORE:" + Names.INFLUENCE_INDEX, 1L, "STATE_STORE:" + Names.ACCOUNT_CONSENTS, 2L,
                    "STATE_STORE:" + Names.CONTACT_PLANS, 1L, "TOPIC:customer-profiles", 1L, "TOPIC:segment-members", 3L, "TOPIC:consents", 2L,
                    "TOPIC:social-profiles", 2L, "TOPIC:account-directory", 2L), removed);

            assertNull(f.customerState().get("alice"));
            KeyValueStore<String, AccountConsent> consents = f.store(Names.ACCOUNT_CONSENTS);
            assertNull(consents.get("twitter:1"), "not even a revoked marker: the account is forgotten");
            assertNull(consents.get("instagram:a1"));
            KeyValueStore<String, SegmentMembership> index = f.store(Names.SEGMENT_INDEX);
            try (KeyValueIterator<String, SegmentMembership> it = index.all()) {
                it.forEachRemaining(kv -> assertFalse(kv.key.endsWith("/alice"), kv.key));
            }
            KeyValueStore<String, String> directory = f.store(Names.ACCOUNT_DIRECTORY);
            try (KeyValueIterator<String, String> it = directory.all()) {
                it.forEachRemaining(kv -> assertFalse(kv.value.equals("alice"), "directory entry " + kv.key));
            }
            assertTrue(count(directory) > 0, "bob is still in the directory");
            KeyValueStore<String, String> influence = f.store(Names.INFLUENCE_INDEX);
            try (KeyValueIterator<String, String> it = influence.all()) {
                it.forEachRemaining(kv -> assertFalse(kv.key.equals("alice"), kv.value));
            }
            assertEquals(0, count(f.store(Names.PENDING_ERASURES)), "the erasure is complete");
            assertEquals(2.0, profiles.get("bob").getInfluence().getSharesReceived() + profiles.get("bob").getInfluence()
                    .getMentionsReceived(), 1e-9, "bob is untouched");
        }
    }

    @Test
    void compactionMarkersReachEveryCompactedTopicAndChangelogThatHoldsPeopleEvenWhenNothingElseIsWritten() {
        // erasure.compaction.lag 8s: each stage appends its markers every 2 s of wall-clock time
        try (TopologyFixture f = new TopologyFixture(Map.of("erasure.compaction.lag", "8s", "influence.min.population", "1"))) {
            f.define("all", "accounts >= 1", "accounts < 1", 1);
            defineReachable(f);
            f.grant("alice", "twitter", "1", T0, ConsentScope.ACTIVITY, ConsentScope.PROFILE, ConsentScope.MESSAGING);
            f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(10));
            f.erasures.pipeInput("alice", new ErasureRequest("req-1", "alice", T1), T1);
            String app = f.settings.applicationId();
            List<String> topics = new java.util.ArrayList<>(List.of(f.topics.customerProfiles.name(), f.topics.segmentMembers.name(),
                    f.topics.accessReports.name(), f.topics.accountDirectory.name(), f.topics.consents.name(), f.topics.socialProfiles.name()));
            for (String store : List.of(Names.CUSTOMER_STATE, Names.SEGMENT_INDEX, Names.CONTACT_PLANS, Names.PENDING_ERASURES, Names.ACCOUNT_CONSENTS)) {
                topics.add(app + "-" + store + "-changelog");
            }
            Map<String, org.apache.kafka.streams.TestOutputTopic<String, byte[]>> outputs = new java.util.LinkedHashMap<>();
            for (String topic : topics) {
                outputs.put(topic, f.driver.createOutputTopic(topic, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()));
            }
            outputs.forEach((topic, out) -> assertFalse(out.readRecordsToList().isEmpty(), "the erasure wrote to " + topic));

            for (int round = 1; round <= 2; round++) { // and nothing else happens
                f.advanceWallClock(Duration.ofSeconds(2));
                for (var e : outputs.entrySet()) {
                    List<TestRecord<String, byte[]>> written = e.getValue().readRecordsToList();
                    assertFalse(written.isEmpty(), "round " + round + ": a marker on " + e.getKey());
                    assertTrue(written.stream().allMatch(r -> CompactionMarkers.KEY.equals(r.key()) && r.value() == null),
                            "round " + round + ": only tombstones of the marker key on " + e.getKey() + ": " + written.stream().map(TestRecord::key).toList());
                }
            }
            assertNull(f.customerState().get(CompactionMarkers.KEY), "a marker is never a customer");
            assertEquals(0, count(f.store(Names.ACCOUNT_CONSENTS)), "nor an account: the markers read back from consents change nothing");
            assertTrue(f.deadLetters.readRecordsToList().isEmpty(), "no dead letter from the markers read back from the inputs");
        }
    }

    @Test
    void activityAfterAnErasureLeavesNothingAndRequestsAreIdempotent() {
        try (TopologyFixture f = population()) {
            Profiles profiles = new Profiles(f);
            assertTrue(profiles.get("alice") != null);
            f.erasures.pipeInput("alice", new ErasureRequest("req-1", "alice", T1), T1);
            assertNull(profiles.get("alice"));
            f.segmentChanges.readRecordsToList();
            f.post("1", T1.plusSeconds(10), "still posting about the premier league", "premierleague");
            f.engage("9", ActivityType.SHARE, "1", T1.plusSeconds(11));
            f.pipe(TopologyFixture.act("instagram", "x", ActivityType.LIKE, T1.plusSeconds(12)).setTargetUserId("a1").build());
            assertTrue(f.customerProfiles.readRecordsToList().stream().noneMatch(r -> r.key().equals("alice")), "no profile again");
            assertTrue(f.segmentChanges.readRecordsToList().isEmpty(), "no segment change for what the erased accounts did");
            assertNull(f.customerState().get("alice"));
            assertNull(f.store(Names.ACCOUNT_CONSENTS).get("twitter:1"), "no trace of the account either");
            f.receipts.readRecordsToList();

            f.erasures.pipeInput("alice", new ErasureRequest("req-2", "alice", T1.plusSeconds(20)), T1.plusSeconds(20));
            f.erasures.pipeInput("nobody", new ErasureRequest("req-3", "nobody", T1.plusSeconds(21)), T1.plusSeconds(21));
            List<ErasureReceipt> receipts = TopologyFixture.values(f.receipts);
            assertEquals(List.of("req-2", "req-3"), receipts.stream().map(ErasureReceipt::getRequestId).toList());
            receipts.forEach(r -> {
                assertFalse(r.getHeldData(), "nothing was held: " + r);
                assertEquals(0, r.getAccountsRemoved());
                assertTrue(r.getRemoved().isEmpty());
            });
            assertTrue(f.segmentChanges.readRecordsToList().isEmpty(), "a repeated request exits nothing again");
        }
    }

    @Test
    void anUnmergeGivesEachCustomerBackItsCountersMembershipsAndProfileAndARepeatIsNothing() {
        try (TopologyFixture f = population()) {
            Profiles profiles = new Profiles(f);
            CustomerProfile aliceBefore = profiles.get("alice");
            CustomerProfile bobBefore = profiles.get("bob");
            f.merges.pipeInput("bob", new CustomerMerge("alice", "bob", T1), T1);
            assertNull(profiles.get("bob"));
            f.segmentChanges.readRecordsToList();

            f.unmerges.pipeInput("alice", new CustomerUnmerge("alice", "bob", List.of(), T1.plusSeconds(1)), T1.plusSeconds(1));
            CustomerProfile aliceAfter = profiles.get("alice");
            CustomerProfile bobAfter = profiles.get("bob");
            assertEquals(aliceBefore.getInfluence(), aliceAfter.getInfluence(), "alice's counters exactly as before the merge");
            assertEquals(bobBefore.getInfluence(), bobAfter.getInfluence(), "bob's too");
            assertEquals(aliceBefore.getActivityLevel(), aliceAfter.getActivityLevel(), 0.0);
            assertEquals(bobBefore.getActivityLevel(), bobAfter.getActivityLevel(), 0.0);
            assertEquals(aliceBefore.getAccounts(), aliceAfter.getAccounts());
            assertEquals(bobBefore.getAccounts(), bobAfter.getAccounts());
            assertEquals(aliceBefore.getSegments(), aliceAfter.getSegments());
            assertEquals(bobBefore.getSegments(), bobAfter.getSegments(), "bob's memberships back");
            Map<String, List<String>> byCustomer = new TreeMap<>();
            for (SegmentChange c : TopologyFixture.values(f.segmentChanges)) {
                byCustomer.computeIfAbsent(c.getCustomerId(), k -> new java.util.ArrayList<>()).add(c.getSegmentId() + ":" + c.getChange());
            }
            assertEquals(Map.of("bob", List.of("all:ENTERED", "engaged:ENTERED")), byCustomer, "bob re-enters; alice was in both all along");
            KeyValueStore<String, AccountConsent> consents = f.store(Names.ACCOUNT_CONSENTS);
            assertEquals("bob", consents.get("twitter:2").getCustomerId(), "re-linked to bob in the account stage");
            assertNull(f.customerState().get("bob").getRedirectTo(), "bob is a customer again, not a redirect");

            // bob's account credits bob again
            f.engage("7", ActivityType.SHARE, "2", T1.plusSeconds(5));
            assertEquals(bobBefore.getInfluence().getSharesReceived() + 1, profiles.get("bob").getInfluence().getSharesReceived(), 1e-9);
            assertEquals(aliceBefore.getInfluence(), profiles.get("alice").getInfluence());

            f.unmerges.pipeInput("alice", new CustomerUnmerge("alice", "bob", List.of(), T1.plusSeconds(9)), T1.plusSeconds(9));
            assertTrue(f.customerProfiles.readRecordsToList().isEmpty(), "a repeated unmerge changes nothing");
            assertTrue(f.segmentChanges.readRecordsToList().isEmpty());
        }
    }

    @Test
    void aMergeConservesEveryCounterAndEmitsTheChangesOfBoth() {
        try (TopologyFixture f = population()) {
            Profiles profiles = new Profiles(f);
            Influence alice = profiles.get("alice").getInfluence();
            Influence bob = profiles.get("bob").getInfluence();
            double activity = profiles.get("alice").getActivityLevel() + profiles.get("bob").getActivityLevel();
            f.segmentChanges.readRecordsToList();
            f.merges.pipeInput("bob", new CustomerMerge("alice", "bob", T1), T1);

            assertNull(profiles.get("bob"), "the merged profile is tombstoned");
            CustomerProfile merged = profiles.get("alice");
            assertEquals(3, merged.getAccounts().size());
            Influence sum = merged.getInfluence();
            assertEquals(alice.getSharesReceived() + bob.getSharesReceived(), sum.getSharesReceived(), 1e-9);
            assertEquals(alice.getMentionsReceived() + bob.getMentionsReceived(), sum.getMentionsReceived(), 1e-9);
            assertEquals(alice.getRepliesReceived() + bob.getRepliesReceived(), sum.getRepliesReceived(), 1e-9);
            assertEquals(alice.getLikesReceived() + bob.getLikesReceived(), sum.getLikesReceived(), 1e-9);
            assertEquals(activity, merged.getActivityLevel(), 1e-9);
            // distinct engagers are per account (a sketch each), so they add up too
            assertEquals(alice.getDistinctEngagers() + bob.getDistinctEngagers(), sum.getDistinctEngagers(), 1e-9);

            Map<String, List<String>> byCustomer = new TreeMap<>();
            for (SegmentChange c : TopologyFixture.values(f.segmentChanges)) {
                byCustomer.computeIfAbsent(c.getCustomerId(), k -> new java.util.ArrayList<>()).add(c.getSegmentId() + ":" + c.getChange());
            }
            assertEquals(List.of("all:EXITED", "engaged:EXITED"), byCustomer.get("bob").stream().sorted().toList(), "bob leaves his segments");
            assertFalse(byCustomer.containsKey("alice"), "alice was in both already: no change");

            // bob's accounts now belong to alice: their activity credits her
            f.engage("7", ActivityType.SHARE, "2", T1.plusSeconds(5));
            assertEquals(sum.getSharesReceived() + 1, profiles.get("alice").getInfluence().getSharesReceived(), 1e-9);
            KeyValueStore<String, AccountConsent> consents = f.store(Names.ACCOUNT_CONSENTS);
            assertEquals("alice", consents.get("twitter:2").getCustomerId(), "re-linked in the account stage");

            // erasing the survivor erases what was merged into it, redirect included
            f.erasures.pipeInput("alice", new ErasureRequest("req-m", "alice", T1.plusSeconds(10)), T1.plusSeconds(10));
            assertNull(f.customerState().get("alice"));
            assertNull(f.customerState().get("bob"), "the redirect of the merged id is gone too");
            ErasureReceipt receipt = TopologyFixture.values(f.receipts).get(0);
            assertEquals(3, receipt.getAccountsRemoved());
            KeyValue<String, AccountConsent> left = null;
            try (KeyValueIterator<String, AccountConsent> it = consents.all()) {
                while (it.hasNext()) {
                    KeyValue<String, AccountConsent> kv = it.next();
                    if (!kv.key.startsWith("twitter:9") && !kv.key.startsWith("twitter:8")) {
                        left = kv;
                    }
                }
            }
            assertNull(left, "no account of alice or bob left in account-consents");
        }
    }

    @Test
    void anAccessReportListsWhatEveryStoreHoldsOfTheCustomerAndNothingOfAnyoneElse() throws Exception {
        try (TopologyFixture f = population()) {
            f.accessRequests.pipeInput("alice", new AccessRequest("access-1", "alice", T1), T1);
            f.accessRequests.pipeInput("nobody", new AccessRequest("access-2", "nobody", T1), T1);
            Map<String, AccessReport> reports = TopologyFixture.latest(f.accessReports);
            AccessReport report = reports.get("alice");
            assertEquals("access-1", report.getRequestId());
            assertTrue(report.getHeld());
            JsonNode doc = PlainJson.MAPPER.readTree(report.getReport());
            assertEquals("alice", doc.path("customerId").asText());
            Set<String> accounts = new TreeSet<>();
            doc.path("accounts").forEach(a -> accounts.add(a.path("platform").asText() + ":" + a.path("platformUserId").asText()));
            assertEquals(Set.of("twitter:1", "instagram:a1"), accounts, "every linked account");
            JsonNode twitter = null;
            for (JsonNode a : doc.path("accounts")) {
                if (a.path("platform").asText().equals("twitter")) {
                    twitter = a;
                }
            }
            assertEquals("[\"ACTIVITY\",\"CONTENT\",\"MESSAGING\",\"PROFILE\"]", twitter.path("consentScopes").toString());
            assertEquals(T0.toString(), twitter.path("linkedAt").asText(), "when the consent linked it");
            assertEquals(2.0, twitter.path("received").path("sharesReceived").asDouble(), 0.0, "what was received from the platform");
            assertEquals(T0.plusSeconds(20).toString(), twitter.path("received").path("lastOwnActivityAt").asText());
            assertTrue(twitter.path("received").path("contexts").size() > 0, "the contexts found in its post");
            assertEquals(168, doc.path("hoursOfWeek").size());
            assertEquals("alice", doc.path("profile").path("customerId").asText());
            Set<String> memberships = new TreeSet<>();
            doc.path("memberships").forEach(m -> {
                memberships.add(m.path("segmentId").asText());
                assertTrue(m.path("reason").asText().startsWith("enterWhen"), "each membership with its reason: " + m);
                assertTrue(m.has("since"));
            });
            assertEquals(Set.of("all", "engaged", "reachable"), memberships);
            // her contact opportunity (entered at T0 with no rhythm yet: due at once, expired by T1) is remembered
            JsonNode contact = doc.path("contactOpportunities");
            assertEquals(T0.toString(), contact.path("lastContactAt").asText(), "the contact plan held for her: " + contact);
            assertTrue(contact.path("current").isNull(), contact.toString());
            assertFalse(report.getReport().contains("bob"), "nothing of anyone else");
            assertFalse(report.getReport().contains("\"2\""), "not bob's account");
            assertFalse(report.getReport().contains("premier league"), "no raw text");

            AccessReport none = reports.get("nobody");
            assertFalse(none.getHeld());
            assertTrue(PlainJson.MAPPER.readTree(none.getReport()).path("why").asText().startsWith("nothing is held"));

            // an erasure takes the report away too (a tombstone on the compacted output)
            f.erasures.pipeInput("alice", new ErasureRequest("req-1", "alice", T1.plusSeconds(5)), T1.plusSeconds(5));
            var records = f.accessReports.readRecordsToList();
            assertEquals(1, records.size());
            assertEquals("alice", records.get(0).key());
            assertEquals(null, records.get(0).value());
        }
    }
}
