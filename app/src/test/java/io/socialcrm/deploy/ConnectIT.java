package io.socialcrm.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.files.ActivityFiles;
import io.socialcrm.connectors.files.ActivityFormat;
import io.socialcrm.connectors.testing.JetstreamServer;
import io.socialcrm.connectors.testing.RecordedStream;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.ops.Producers;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import io.socialcrm.testing.TopicRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Connect plugin as a user deploys it: the packaged plugin folder under {@code plugin.path} of a
 * real distributed worker (its own JVM, the deployment's worker configuration), connectors created
 * from the deployment's JSON files, against the embedded broker and Apicurio.
 */
class ConnectIT {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/twitter-v1");

    private static Topics topics(LocalStack stack, String prefix) {
        return topics(stack, prefix, 4);
    }

    private static Topics topics(LocalStack stack, String prefix, int partitions) {
        Topics topics = Topics.withPrefix(prefix);
        try (var admin = stack.admin()) {
            new TopicAdmin(admin, topics).createMissing(partitions, (short) 1);
        }
        return topics;
    }


    /** A live source's settings for this stack and these topics: where to write, where consents are read. */
    private static Map<String, String> liveSourceSettings(LocalStack stack, Topics topics) {
        return Map.of("topics.prefix", topics.prefix(), "consents.bootstrap.servers", stack.bootstrapServers(),
                "consents.schema.registry.url", stack.schemaRegistryUrl(), "errors.deadletterqueue.topic.name", topics.deadLetters.name());
    }

    private static String activityLine(int i) {
        return "{\"eventId\":\"json-" + i + "\",\"platform\":\"twitter\",\"actorId\":\"" + (1000 + i % 7)
                + "\",\"type\":\"POST\",\"occurredAt\":\"2026-11-30T12:00:" + String.format("%02d", i % 60) + "Z\"}";
    }

    private static List<SocialActivity> activities(LocalStack stack, Topics topics) {
        var deserializer = Topics.valueSerde(topics.socialActivity, SchemaRegistryConfig.of(stack.schemaRegistryUrl())).deserializer();
        List<SocialActivity> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.socialActivity.name())) {
            out.add(deserializer.deserialize(r.topic(), r.value()));
        }
        return out;
    }

    @Test
    void replayConnectorWritesTheWireFormatDeadLettersBadLinesAndResumesAfterARestart(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Topics topics = topics(stack, "cit-replay.");
        Path replay = Files.createDirectories(dir.resolve("replay"));
        Files.copy(FIXTURES.resolve("statuses_public_timeline.json"), replay.resolve("a-timeline.json"));
        Path jsonl = replay.resolve("b-activities.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(activityLine(i));
        }
        lines.add(15, "{\"eventId\":\"broken\",\"platform\":\"twitter\",\"type\":\"POST\"}");
        Files.write(jsonl, lines);
        Files.writeString(replay.resolve("c-consents.csv"), "customer_id,platform,platform_user_id,handle,scopes,status,recorded_at\n"
                + "c1,twitter,1001,a,ACTIVITY|CONTENT,GRANTED,2026-11-01T00:00:00Z\n"
                + "c2,twitter,1002,b,ACTIVITY,MAYBE,2026-11-01T00:00:00Z\n"
                + "c3,twitter,1003,c,ACTIVITY|PROFILE,GRANTED,2026-11-01T00:00:00Z\n");
        Set<String> expected = new TreeSet<>();
        ActivityFiles.read(replay.resolve("a-timeline.json"), ActivityFormat.TWITTER_V1,
                item -> item.value().activities().forEach(a -> expected.add(a.getEventId())));
        for (int i = 0; i < 30; i++) {
            expected.add("json-" + i);
        }
        Map<String, String> overrides = Map.of("replay.files", replay.toString(), "topics.prefix", topics.prefix(),
                "errors.deadletterqueue.topic.name", topics.deadLetters.name());

        try (ConnectWorker worker = ConnectWorker.start(stack, "cit-replay", dir, Map.of())) {
            JsonNode plugins = PlainJson.MAPPER.readTree(worker.get("/connector-plugins").body());
            Set<String> ours = new TreeSet<>();
            plugins.forEach(p -> {
                if (p.path("class").asText().startsWith("io.socialcrm.")) {
                    ours.add(p.path("class").asText() + " " + p.path("version").asText());
                }
            });
            String version = io.socialcrm.config.BuildInfo.version();
            assertEquals(Set.of("io.socialcrm.connectors.replay.ReplaySourceConnector " + version,
                    "io.socialcrm.connectors.twitter.TwitterSourceConnector " + version,
                    "io.socialcrm.connectors.bluesky.BlueskySourceConnector " + version,
                    "io.socialcrm.connectors.mastodon.MastodonSourceConnector " + version), ours,
                    "the worker found the plugin under plugin.path: " + plugins);
            worker.putConnector("connect/replay-connector.json", overrides);
            await("all replayed activities in " + topics.socialActivity.name()).atMost(Duration.ofMinutes(2))
                    .until(() -> activities(stack, topics).size() >= expected.size());
            JsonNode status = worker.status("socialcrm-replay");
            assertEquals("RUNNING", status.path("connector").path("state").asText(), status.toString());
            status.path("tasks").forEach(t -> assertEquals("RUNNING", t.path("state").asText(), "bad lines never kill a task: " + t));
        }
        List<ConsumerRecord<byte[], byte[]>> written = TopicRecords.readAll(stack.bootstrapServers(), topics.socialActivity.name());
        HttpClient http = HttpClient.newHttpClient();
        Set<Integer> ids = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : written) {
            ByteBuffer value = ByteBuffer.wrap(r.value());
            assertEquals(0, value.get(), "Confluent wire format: magic byte 0");
            ids.add(value.getInt());
            assertTrue(new String(r.key(), StandardCharsets.UTF_8).startsWith("twitter:"), "keyed by account key");
        }
        for (int id : ids) {
            HttpResponse<String> schema = http.send(HttpRequest.newBuilder(URI.create(stack.schemaRegistryUrl() + "/schemas/ids/" + id))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, schema.statusCode(), "schema id " + id + " resolves in the registry");
            assertTrue(schema.body().contains("SocialActivity"), schema.body());
        }
        Set<String> received = new TreeSet<>();
        activities(stack, topics).forEach(a -> received.add(a.getEventId()));
        assertEquals(expected, received, "every activity of both files, read back with the contract's schema");

        List<ConsumerRecord<byte[], byte[]>> dead = TopicRecords.readAll(stack.bootstrapServers(), topics.deadLetters.name());
        assertEquals(2, dead.size(), "the bad activity line and the bad consent row");
        Set<String> reasons = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            Header reason = r.headers().lastHeader("__connect.errors.exception.message");
            reasons.add(new String(reason.value(), StandardCharsets.UTF_8));
        }
        assertEquals(Set.of("field 'actorId' is required", "status must be GRANTED or REVOKED, not 'MAYBE'"), reasons);
        assertTrue(dead.stream().anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"broken\"")),
                "the original bytes of the bad line");
        assertEquals(2, TopicRecords.readAll(stack.bootstrapServers(), topics.consents.name()).size());

        // the worker restarts; the file grew meanwhile: only the new lines are sent
        List<String> more = new ArrayList<>();
        for (int i = 30; i < 35; i++) {
            more.add(activityLine(i));
            expected.add("json-" + i);
        }
        Files.write(jsonl, more, StandardOpenOption.APPEND);
        try (ConnectWorker worker = ConnectWorker.start(stack, "cit-replay", dir, Map.of())) {
            // once the position after the last line is committed, everything the worker will send is in the topic
            long items = Files.readAllLines(jsonl).stream().filter(l -> !l.isBlank()).count();
            await("the appended lines").atMost(Duration.ofMinutes(2))
                    .until(() -> worker.committedPosition("socialcrm-replay", jsonl) == items);
            List<SocialActivity> all = activities(stack, topics);
            Set<String> distinct = new TreeSet<>();
            all.forEach(a -> distinct.add(a.getEventId()));
            assertEquals(expected, distinct);
            assertEquals(expected.size(), all.size(), "resumed from the committed positions: nothing sent twice");
            assertEquals("RUNNING", worker.status("socialcrm-replay").path("connector").path("state").asText());
        }
    }

    @Test
    void twitterConnectorFollowsTheConsentedAccountsWithCredentialsFromAConfigProvider(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Topics topics = topics(stack, "cit-twitter.");
        SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
        // the accounts of the recorded statuses consent (and one of them, later, revokes)
        var consents = Topics.valueSerde(topics.consents, registry).serializer();
        try (KafkaProducer<String, byte[]> producer = Producers.create(stack.bootstrapServers(), Map.of(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (String user : List.of("18378841", "14090452", "99")) {
                ConsentRecord consent = ConsentRecord.newBuilder().setCustomerId("cust-" + user).setPlatform("twitter")
                        .setPlatformUserId(user).setHandle(null).setScopes(List.of(ConsentScope.ACTIVITY))
                        .setStatus(ConsentStatus.GRANTED).setPolicyVersion(null).setSource(null)
                        .setRecordedAt(Instant.parse("2026-11-01T00:00:00Z")).build();
                producer.send(new ProducerRecord<>(topics.consents.name(), "twitter:" + user,
                        consents.serialize(topics.consents.name(), consent)));
            }
            ConsentRecord revoked = ConsentRecord.newBuilder().setCustomerId("cust-99").setPlatform("twitter")
                    .setPlatformUserId("99").setHandle(null).setScopes(List.of()).setStatus(ConsentStatus.REVOKED)
                    .setPolicyVersion(null).setSource(null).setRecordedAt(Instant.parse("2026-11-02T00:00:00Z")).build();
            producer.send(new ProducerRecord<>(topics.consents.name(), "twitter:99", consents.serialize(topics.consents.name(), revoked)));
        }
        String secret = "consumer-secret-" + System.nanoTime();
        String tokenSecret = "token-secret-" + System.nanoTime();
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("twitter.properties"), "consumer.key=ck-1\nconsumer.secret=" + secret
                + "\naccess.token=at-1\naccess.token.secret=" + tokenSecret + "\n");
        List<String> session = Files.readAllLines(FIXTURES.resolve("streamingapi-testcase.json")).stream()
                .filter(l -> !l.isBlank()).toList();
        try (RecordedStream server = new RecordedStream(List.of(session));
             ConnectWorker worker = ConnectWorker.start(stack, "cit-twitter", dir, Map.of())) {
            Map<String, String> overrides = new java.util.HashMap<>();
            for (String key : List.of("consumer.key", "consumer.secret", "access.token", "access.token.secret")) {
                overrides.put("twitter.oauth." + key, "${file:" + secrets.resolve("twitter.properties") + ":" + key + "}");
            }
            overrides.put("twitter.stream.base.url", server.baseUrl());
            overrides.put("twitter.track", "higgs");
            overrides.put("twitter.filter.refresh.ms", "1000");
            overrides.putAll(liveSourceSettings(stack, topics));
            worker.putConnector("connect/twitter-connector.json", overrides);
            await("the recorded statuses in " + topics.socialActivity.name()).atMost(Duration.ofMinutes(2))
                    .until(() -> activities(stack, topics).size() >= 3);
            assertEquals("14090452,18378841", server.lastParameter("follow"), "the consented accounts, not the revoked one");
            assertEquals("higgs", server.lastParameter("track"));
            assertTrue(server.authorizations.get(0).contains("oauth_consumer_key=\"ck-1\""), "credentials from the file provider");
            assertTrue(TopicRecords.readAll(stack.bootstrapServers(), topics.socialProfiles.name()).size() >= 3,
                    "the authors' profiles too");
            HttpResponse<String> config = worker.get("/connectors/socialcrm-twitter/config");
            assertFalse(config.body().contains(secret) || config.body().contains(tokenSecret), "the API shows the placeholders only");
        }
        for (ConnectWorker.LogLine line : ConnectWorker.lines(dir)) {
            assertFalse(line.text().contains(secret) || line.text().contains(tokenSecret), "a secret in the worker's log: " + line);
        }
    }

    private static final Path DICTIONARY = Path.of("../connectors/src/main/resources/io/socialcrm/connectors/bluesky/jetstream-zstd-dictionary");

    private static void consent(ContractWriter writer, Topics topics, String name, ConsentStatus status, int minute) {
        writer.send(topics.consents, "bluesky:did:plc:" + name, ConsentRecord.newBuilder().setCustomerId(name).setPlatform("bluesky")
                .setPlatformUserId("did:plc:" + name).setHandle(null)
                .setScopes(status == ConsentStatus.GRANTED ? List.of(ConsentScope.ACTIVITY) : List.of()).setStatus(status)
                .setPolicyVersion(null).setSource("it").setRecordedAt(Instant.parse("2026-11-01T00:00:00Z").plusSeconds(60L * minute))
                .build());
        writer.flush();
    }

    /** A generated Jetstream post by {@code name}'s DID, as Jetstream sends it. */
    private static String post(String name, String rkey) {
        return "{\"did\":\"did:plc:" + name + "\",\"time_us\":" + System.currentTimeMillis() * 1000 + ",\"kind\":\"commit\",\"commit\":"
                + "{\"rev\":\"r\",\"operation\":\"create\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"" + rkey
                + "\",\"record\":{\"$type\":\"app.bsky.feed.post\",\"text\":\"hello\"}}}";
    }

    private static Set<String> keptRkeys(LocalStack stack, Topics topics) {
        Set<String> out = new TreeSet<>();
        activities(stack, topics).forEach(a -> out.add(a.getEventId().substring(a.getEventId().lastIndexOf('/') + 1)));
        return out;
    }

    /**
     * The Bluesky connector as deployed (the packaged plugin in a real worker, the deployment's JSON,
     * Jetstream's compressed frames from a local WebSocket server) follows consents as they change,
     * read from the real consents topic: a grant makes the account's posts kept, a revocation drops
     * them, each within the refresh interval (1 s here; the bound below adds the worker's consumer and
     * producer latency); posts before a grant are never written. Every topic has one partition, so a
     * record read means every record the connector wrote before it can be read too.
     */
    @Test
    void blueskyConnectorKeepsWhatTheConsentsAllowAsTheyChange(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Topics topics = topics(stack, "cit-bluesky.", 1);
        SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
        try (ContractWriter consents = new ContractWriter(stack.bootstrapServers(), Map.of(), registry, DeliveryTracker.DEFAULT_STALL_LIMIT);
             JetstreamServer server = new JetstreamServer(List.of(), 0, DICTIONARY);
             ConnectWorker worker = ConnectWorker.start(stack, "cit-bluesky", dir, Map.of())) {
            consent(consents, topics, "alice", ConsentStatus.GRANTED, 0);
            Map<String, String> overrides = new java.util.HashMap<>();
            overrides.put("bluesky.jetstream.url", server.url());
            overrides.put("bluesky.filter.refresh.ms", "1000");
            overrides.putAll(liveSourceSettings(stack, topics));
            worker.putConnector("connect/bluesky-connector.json", overrides);
            await("the connector connects to Jetstream").atMost(Duration.ofMinutes(2)).until(() -> server.connections() >= 1);
            assertEquals(List.of("true"), server.queries.get(0).get("compress"), "the deployment asks for compressed frames");

            server.push(post("bob", "b0"));
            server.push(post("stranger", "s0"));
            server.push(post("alice", "a0"));
            await("alice's post").atMost(Duration.ofMinutes(1)).until(() -> keptRkeys(stack, topics).contains("a0"));

            consent(consents, topics, "bob", ConsentStatus.GRANTED, 1);
            long granted = System.nanoTime();
            int[] n = {0};
            await("bob's posts after his grant").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                server.push(post("bob", "b" + ++n[0]));
                return keptRkeys(stack, topics).stream().anyMatch(k -> k.startsWith("b") && !k.equals("b0"));
            });
            long grantMs = (System.nanoTime() - granted) / 1_000_000;
            assertTrue(grantMs < 10_000, "a grant took effect after " + grantMs + " ms (refresh interval 1 s)");

            // alice revokes, then carol grants: on one partition the revocation is read first, so once
            // carol's posts are kept, alice's revocation is in force
            consent(consents, topics, "alice", ConsentStatus.REVOKED, 2);
            consent(consents, topics, "carol", ConsentStatus.GRANTED, 2);
            long revoked = System.nanoTime();
            await("carol's posts after her grant").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                server.push(post("alice", "a" + ++n[0]));
                server.push(post("carol", "c" + n[0]));
                return keptRkeys(stack, topics).stream().anyMatch(k -> k.startsWith("c"));
            });
            long revokeMs = (System.nanoTime() - revoked) / 1_000_000;
            assertTrue(revokeMs < 10_000, "a revocation took effect after " + revokeMs + " ms (refresh interval 1 s)");
            server.push(post("alice", "a-last"));
            server.push(post("carol", "c-last"));
            await("carol's last post").atMost(Duration.ofMinutes(1)).until(() -> keptRkeys(stack, topics).contains("c-last"));
            Set<String> kept = keptRkeys(stack, topics);
            assertFalse(kept.contains("a-last"), "alice's post after her revocation was written");
            assertFalse(kept.contains("b0"), "bob's post before his grant was written");
            assertFalse(kept.stream().anyMatch(k -> k.startsWith("s")), "a stranger's post was written");
            assertTrue(kept.contains("a0"));
        }
    }
}
