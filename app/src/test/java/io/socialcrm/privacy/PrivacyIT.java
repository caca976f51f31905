package io.socialcrm.privacy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.app.Service;
import io.socialcrm.app.TestServices;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TopicRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy lifecycle on a real broker, proven where the data is: after an erasure, and after log
 * compaction has run (small segments, a low dirty ratio and no tombstone retention on the test
 * topics), no topic the application reads or writes (but the raw activity) and no state store holds
 * a live record of the customer's id or account keys; the API answers 404; a receipt says so.
 */
class PrivacyIT {
    private static final String ALICE = "cust-alice-7f3a";
    private static final String ALICE_TWITTER = "90017001";
    private static final String ALICE_INSTAGRAM = "alice_insta_91";
    private static final List<String> ALICE_TRACES = List.of(ALICE, "twitter:" + ALICE_TWITTER, "instagram:" + ALICE_INSTAGRAM,
            "h" + ALICE_TWITTER);
    /** Topic settings that make the broker's cleaner compact (and drop tombstones) within seconds. */
    private static final Map<String, String> FAST_COMPACTION = Map.of("segment.ms", "300", "min.cleanable.dirty.ratio", "0.01",
            "delete.retention.ms", "100", "min.compaction.lag.ms", "0", "file.delete.delay.ms", "0");

    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStack.Options.defaults().withPartitions(4)
                .withBrokerOverrides(Map.of("log.cleaner.backoff.ms", "200", "log.segment.delete.delay.ms", "0")));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private final class Client implements AutoCloseable {
        final Topics topics;
        final SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
        final ContractWriter writer = new ContractWriter(stack.bootstrapServers(), Map.of(), registry, DeliveryTracker.DEFAULT_STALL_LIMIT);

        Client(Topics topics) {
            this.topics = topics;
        }

        <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
            writer.send(topic, key, value);
        }

        void grant(String customer, String platform, String userId, Instant at, ConsentScope... scopes) {
            send(topics.consents, platform + ":" + userId, ConsentRecord.newBuilder().setCustomerId(customer).setPlatform(platform)
                    .setPlatformUserId(userId).setHandle("h" + userId).setScopes(List.of(scopes)).setStatus(ConsentStatus.GRANTED)
                    .setPolicyVersion("2026-11").setSource("it").setRecordedAt(at).build());
        }

        void act(String platform, String actor, ActivityType type, String target, Instant at, String text) {
            send(topics.socialActivity, platform + ":" + actor, SocialActivity.newBuilder().setEventId("e-" + UUID.randomUUID())
                    .setPlatform(platform).setActorId(actor).setActorHandle("h" + actor).setType(type).setTargetUserId(target)
                    .setText(text).setHashtags(text == null ? List.of() : List.of("premierleague")).setOccurredAt(at)
                    .setSource("it").build());
        }

        void flush() {
            writer.flush();
        }

        @Override
        public void close() {
            writer.close();
        }
    }

    private static Topics createTopics(String prefix) {
        Topics topics = Topics.withPrefix(prefix);
        try (var admin = stack.admin()) {
            new TopicAdmin(admin, topics).createMissing(4, (short) 1, FAST_COMPACTION);
        }
        return topics;
    }

    private static Map<String, String> fastInternalTopics() {
        Map<String, String> settings = new java.util.HashMap<>();
        FAST_COMPACTION.forEach((k, v) -> settings.put("topic." + k, v));
        settings.put("repartition.purge.interval.ms", "500");
        settings.put("commit.interval.ms", "200");
        // compaction markers every 10 s (a segment rolls only on an append, and after the erasure nothing else is
        // written), which leaves the seconds without new output that awaitIdle waits for between two rounds of them
        settings.put("erasure.compaction.lag", "40s");
        settings.put("influence.min.population", "1");
        settings.put("rocksdb.purge.interval", "1s");
        return settings;
    }

    /** Every record, in every topic the application touches, that holds one of the needles: topic -> count. */
    private static Map<String, Integer> liveMentions(String prefix, String applicationId, List<String> needles, boolean tombstonesToo)
            throws Exception {
        Map<String, Integer> found = new TreeMap<>();
        TreeSet<String> names;
        try (var admin = stack.admin()) {
            names = new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        }
        names.removeIf(topic -> !topic.startsWith(prefix) && !topic.startsWith(applicationId + "-"));
        for (Map.Entry<String, List<ConsumerRecord<byte[], byte[]>>> e : TopicRecords.readAll(stack.bootstrapServers(), names).entrySet()) {
            String topic = e.getKey();
            for (ConsumerRecord<byte[], byte[]> r : e.getValue()) {
                if (r.value() == null && !tombstonesToo) {
                    continue;
                }
                for (String needle : needles) {
                    if ((r.key() != null && StateDirectoryScan.contains(r.key(), needle))
                            || (r.value() != null && StateDirectoryScan.contains(r.value(), needle))) {
                        found.merge(topic, 1, Integer::sum);
                        break;
                    }
                }
            }
        }
        return found;
    }


    private static List<ErasureReceipt> receipts(Client client) {
        var deserializer = Topics.valueSerde(client.topics.erasureReceipts, client.registry).deserializer();
        List<ErasureReceipt> out = new ArrayList<>();
        TopicRecords.readAll(stack.bootstrapServers(), client.topics.erasureReceipts.name())
                .forEach(r -> out.add(deserializer.deserialize(r.topic(), r.value())));
        return out;
    }

    @Test
    void anErasedCustomerLeavesNoLiveRecordInAnyTopicOrStore(@TempDir Path dir) throws Exception {
        String prefix = "erase.";
        String app = "erase-app";
        Topics topics = createTopics(prefix);
        Path state = dir.resolve("state");
        Instant t = Instant.now().minus(Duration.ofHours(2));
        try (Client client = new Client(topics);
             Service service = Service.start(TestServices.settings(stack, app, prefix, state, fastInternalTopics()))) {
            client.send(topics.segmentDefinitions, "everyone", SegmentDefinition.newBuilder().setId("everyone")
                    .setDescription("every customer").setEnterWhen("accounts >= 1").setExitWhen("accounts < 1").setVersion(1)
                    .setEnabled(true).build());
            // a campaign everyone with MESSAGING scope enters: alice has a contact plan (store contact-plans)
            client.send(topics.segmentDefinitions, "reachable", SegmentDefinition.newBuilder().setId("reachable")
                    .setDescription("every customer, a campaign").setEnterWhen("accounts >= 1").setExitWhen("accounts < 1")
                    .setVersion(1).setEnabled(true).setCampaign(true).build());
            client.grant(ALICE, "twitter", ALICE_TWITTER, t, ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE,
                    ConsentScope.MESSAGING);
            client.grant(ALICE, "instagram", ALICE_INSTAGRAM, t, ConsentScope.ACTIVITY, ConsentScope.CONTENT);
            client.send(topics.socialProfiles, "twitter:" + ALICE_TWITTER, ProfileSnapshot.newBuilder().setPlatform("twitter")
                    .setPlatformUserId(ALICE_TWITTER).setFollowers(1200).setFollowing(80).setPosts(400).setFetchedAt(t).build());
            for (int i = 0; i < 12; i++) {
                client.grant("cust-" + i, "twitter", "5000" + i, t, ConsentScope.ACTIVITY);
                client.act("twitter", "5000" + i, ActivityType.SHARE, ALICE_TWITTER, t.plusSeconds(10 + i), null);
                client.act("twitter", ALICE_TWITTER, ActivityType.REPLY, "5000" + i, t.plusSeconds(30 + i), "great match");
            }
            client.act("instagram", ALICE_INSTAGRAM, ActivityType.POST, null, t.plusSeconds(60), "at the #premierleague game");
            client.act("instagram", "someone", ActivityType.LIKE, ALICE_INSTAGRAM, t.plusSeconds(61), null);
            client.flush();
            TestServices.awaitIdle(stack, service, Duration.ofMinutes(2));
            assertEquals(200, get(service, "/customers/" + ALICE).statusCode(), "alice is known before");
            Map<String, Integer> before = liveMentions(prefix, app, ALICE_TRACES, false);
            assertTrue(before.keySet().containsAll(List.of(prefix + "consents", prefix + "customer-profiles", prefix + "segment-members",
                    app + "-customer-state-changelog", app + "-account-consents-changelog")),
                    "the scan finds alice where she is: " + before);

            client.send(topics.erasureRequests, ALICE, new ErasureRequest("req-" + UUID.randomUUID(), ALICE, Instant.now()));
            client.flush();
            await("the erasure receipt").atMost(Duration.ofSeconds(60)).until(() -> !receipts(client).isEmpty());
            ErasureReceipt receipt = receipts(client).get(0);
            assertTrue(receipt.getHeldData());
            assertEquals(2, receipt.getAccountsRemoved());
            assertTrue(receipt.getSegmentsExited().contains("everyone"), receipt.toString());

            // alice's accounts go on acting, and others engage with them: nothing of it may be kept
            client.act("twitter", ALICE_TWITTER, ActivityType.POST, null, t.plusSeconds(3600), "still here #premierleague");
            client.act("twitter", "50001", ActivityType.SHARE, ALICE_TWITTER, t.plusSeconds(3601), null);
            client.act("instagram", "someone", ActivityType.LIKE, ALICE_INSTAGRAM, t.plusSeconds(3602), null);
            client.flush();
            // and then nothing: no other record is written, yet the cleaner must reach every partition she was in
            // (a segment rolls only on an append: the application's compaction markers are those appends)
            await("no live record of alice after the erasure and compaction").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(1500)).untilAsserted(() -> {
                        Map<String, Integer> after = liveMentions(prefix, app, ALICE_TRACES, false);
                        after.keySet().removeAll(List.of(prefix + "social-activity", prefix + "erasure-requests",
                                prefix + "erasure-receipts", prefix + "segment-changes", prefix + "contact-opportunities"));
                        assertEquals(Map.of(), after, "live records of alice after the erasure and compaction");
                    });
            assertEquals(404, get(service, "/customers/" + ALICE).statusCode(), "the API knows her no more");

            // what remains by design: the request, its receipt, and the segment events (append-only, retention-bound)
            Map<String, Integer> byDesign = liveMentions(prefix, app, List.of(ALICE), false);
            assertEquals(1, byDesign.get(prefix + "erasure-requests"));
            assertEquals(1, byDesign.get(prefix + "erasure-receipts"));
            var changes = Topics.valueSerde(topics.segmentChanges, client.registry).deserializer();
            List<String> events = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.segmentChanges.name())) {
                SegmentChange c = changes.deserialize(r.topic(), r.value());
                if (c.getCustomerId().equals(ALICE)) {
                    events.add(c.getSegmentId() + ":" + c.getChange());
                }
            }
            assertTrue(events.contains("everyone:" + MembershipChange.EXITED), "an EXITED for each segment held: " + events);
            assertEquals(events.stream().filter(e -> e.endsWith("ENTERED")).count(), events.stream().filter(e -> e.endsWith("EXITED")).count(),
                    "every entry has its exit: " + events);
            for (String topic : List.of(prefix + "segment-changes", prefix + "contact-opportunities", prefix + "erasure-requests")) {
                try (var admin = stack.admin()) {
                    var config = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic))).all().get(30, TimeUnit.SECONDS);
                    assertEquals("delete", config.values().iterator().next().get("cleanup.policy").value(), topic + " is append-only");
                }
            }
        }
        // the state directory: no live entry in any store (RocksDB keeps a deleted key's bytes in its files
        // until a compaction rewrites them, at the latest after rocksdb.purge.interval)
        List<StateDirectoryScan.Hit> live = StateDirectoryScan.liveEntries(state, ALICE_TRACES);
        assertEquals(List.of(), live, "live entries of alice in the state directory");
        assertFalse(StateDirectoryScan.databases(state).isEmpty(), "the scan read the stores");

        // what a restore reads (the changelogs) rebuilds every store without her: an instance restoring into
        // an empty state directory holds no live entry of her either
        Path restored = dir.resolve("restored");
        try (Service service = Service.start(TestServices.settings(stack, app, prefix, restored, fastInternalTopics()))) {
            service.awaitRunning(Duration.ofMinutes(2)); // RUNNING: every active task has restored its stores
            assertEquals(404, get(service, "/customers/" + ALICE).statusCode());
        }
        assertFalse(StateDirectoryScan.databases(restored).isEmpty(), "the state was restored from the changelogs");
        assertEquals(List.of(), StateDirectoryScan.liveEntries(restored, ALICE_TRACES), "live entries of alice in the restored state");
    }

    private static Map<String, io.socialcrm.avro.CustomerProfile> profiles(Client client) {
        var deserializer = Topics.valueSerde(client.topics.customerProfiles, client.registry).deserializer();
        Map<String, io.socialcrm.avro.CustomerProfile> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), client.topics.customerProfiles.name())) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, deserializer.deserialize(r.topic(), r.value()));
            }
        }
        return latest;
    }

    @Test
    void aRevocationRemovesOneAccountsContributionAndAMergeConservesEveryCounter(@TempDir Path dir) throws Exception {
        String prefix = "lifecycle.";
        Topics topics = createTopics(prefix);
        Instant t = Instant.now().minus(Duration.ofHours(1));
        Map<String, String> settings = new java.util.HashMap<>(fastInternalTopics());
        settings.put("influence.halflife", "off");
        settings.put("context.halflife", "off");
        try (Client client = new Client(topics);
             Service service = Service.start(TestServices.settings(stack, "lifecycle-app", prefix, dir.resolve("state"), settings))) {
            client.grant("carol", "twitter", "601", t, ConsentScope.ACTIVITY, ConsentScope.MESSAGING);
            client.grant("carol", "instagram", "c_insta", t, ConsentScope.ACTIVITY);
            client.grant("dan", "twitter", "602", t, ConsentScope.ACTIVITY);
            for (int i = 0; i < 5; i++) {
                client.act("twitter", "70" + i, ActivityType.SHARE, "601", t.plusSeconds(10 + i), null);
                client.act("instagram", "fan" + i, ActivityType.LIKE, "c_insta", t.plusSeconds(20 + i), null);
                client.act("twitter", "71" + i, ActivityType.REPLY, "602", t.plusSeconds(30 + i), "hello");
            }
            client.act("instagram", "fan9", ActivityType.SHARE, "c_insta", t.plusSeconds(40), null);
            client.flush();
            TestServices.awaitIdle(stack, service, Duration.ofMinutes(2));
            var carol = profiles(client).get("carol").getInfluence();
            assertEquals(6.0, carol.getSharesReceived(), 1e-9, "5 on twitter, 1 on instagram");
            assertEquals(5.0, carol.getLikesReceived(), 1e-9);
            assertTrue(profiles(client).get("carol").getContactable());

            client.send(topics.consents, "twitter:601", ConsentRecord.newBuilder().setCustomerId("carol").setPlatform("twitter")
                    .setPlatformUserId("601").setHandle(null).setScopes(List.of()).setStatus(ConsentStatus.REVOKED)
                    .setPolicyVersion("2026-11").setSource("it").setRecordedAt(t.plusSeconds(100)).build());
            client.act("twitter", "709", ActivityType.SHARE, "601", t.plusSeconds(110), null);
            client.flush();
            TestServices.awaitIdle(stack, service, Duration.ofMinutes(2));
            io.socialcrm.avro.CustomerProfile revoked = profiles(client).get("carol");
            assertEquals(List.of("instagram:c_insta"), revoked.getAccounts().stream().map(a -> a.getAccountKey()).toList());
            assertEquals(1.0, revoked.getInfluence().getSharesReceived(), 1e-9, "the revoked account's shares are gone, later ones too");
            assertEquals(5.0, revoked.getInfluence().getLikesReceived(), 1e-9, "the other account's contribution remains");
            assertFalse(revoked.getContactable(), "MESSAGING went with the revoked account");

            var before = profiles(client);
            double shares = before.get("carol").getInfluence().getSharesReceived() + before.get("dan").getInfluence().getSharesReceived();
            double likes = before.get("carol").getInfluence().getLikesReceived() + before.get("dan").getInfluence().getLikesReceived();
            double replies = before.get("carol").getInfluence().getRepliesReceived() + before.get("dan").getInfluence().getRepliesReceived();
            double engagers = before.get("carol").getInfluence().getDistinctEngagers() + before.get("dan").getInfluence().getDistinctEngagers();
            client.send(topics.customerMerges, "dan", new io.socialcrm.avro.CustomerMerge("carol", "dan", Instant.now()));
            client.flush();
            TestServices.awaitIdle(stack, service, Duration.ofMinutes(2));
            var after = profiles(client);
            assertFalse(after.containsKey("dan"), "the merged profile is tombstoned");
            var merged = after.get("carol").getInfluence();
            assertEquals(shares, merged.getSharesReceived(), 1e-9, "shares: sum before = survivor after");
            assertEquals(likes, merged.getLikesReceived(), 1e-9, "likes");
            assertEquals(replies, merged.getRepliesReceived(), 1e-9, "replies");
            assertEquals(engagers, merged.getDistinctEngagers(), 1e-9, "distinct engagers");
            assertEquals(2, after.get("carol").getAccounts().size());
            assertEquals(404, get(service, "/customers/dan").statusCode(), "the merged id is gone from the API");
            assertEquals(200, get(service, "/customers/carol").statusCode());
        }
    }

    private static HttpResponse<String> get(Service service, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
