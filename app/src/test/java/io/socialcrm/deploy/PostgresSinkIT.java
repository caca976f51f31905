package io.socialcrm.deploy;

import static io.socialcrm.testing.Sql.count;
import static io.socialcrm.testing.Sql.one;
import static io.socialcrm.testing.Sql.rows;
import static io.socialcrm.testing.Sql.strings;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.app.Service;
import io.socialcrm.app.TestServices;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.contract.MemberKey;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.generator.ActivityGenerator;
import io.socialcrm.generator.KafkaSink;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.ops.Producers;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import io.socialcrm.testing.TopicRecords;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BI path on real parts: the application on the embedded broker and registry, a real PostgreSQL
 * (zonky's binaries), a real Kafka Connect worker running the deployment's sink
 * ({@code docker/connect/sink-postgres.json}: Debezium's JDBC sink with socialcrm's converter and
 * transform) into the tables of {@code docker/postgres/socialcrm-bi.sql}.
 */
class PostgresSinkIT {
    private static final String PREFIX = "bi.";
    private static final Path MIGRATION = Compose.DOCKER.resolve("postgres/socialcrm-bi.sql");
    private static final List<String> CUSTOMER_TABLES = List.of("customers", "segment_members", "segment_changes");
    /** The platform of each named customer's one account (user id "bi-" + name). */
    private static final Map<String, String> PLATFORM = Map.of("alice", "twitter", "carol", "mastodon", "dan", "bluesky",
            "erin", "threads");

    @Test
    void theOutputsBecomeTablesAndErasureAndMergesReachThem(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Topics topics = Topics.withPrefix(PREFIX);
        SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             Service service = Service.start(TestServices.settings(stack, "bi-app", PREFIX, dir.resolve("state"), Map.of()));
             Client client = new Client(stack, topics, registry)) {
            DataSource db = pg.getPostgresDatabase();
            migrate(db);
            migrate(db); // a second run changes nothing: the deployment may run it on every start

            client.send(topics.segmentDefinitions, "everyone", SegmentDefinition.newBuilder().setId("everyone")
                    .setDescription("every customer").setEnterWhen("accounts >= 1").setExitWhen("accounts < 1").setVersion(1)
                    .setEnabled(true).build());
            Instant t = Instant.now().minus(Duration.ofDays(3));
            ActivityGenerator generator = ActivityGenerator.create(200, 0.5, 13, Taxonomy.builtIn());
            try (KafkaSink sink = new KafkaSink(stack.bootstrapServers(), new Properties(), topics, registry)) {
                generator.initial(t, sink);
                for (int i = 0; i < 1000; i++) {
                    generator.next(t.plusSeconds(60L * i), sink);
                }
            }
            for (String c : List.of("alice", "carol", "dan")) {
                client.grant(c, PLATFORM.get(c), t);
                client.act(c, t.plusSeconds(5));
            }
            client.flush();
            service.awaitRunning(Duration.ofMinutes(2));
            TestServices.awaitIdle(stack, service, Duration.ofMinutes(3));

            Map<String, String> sink = new HashMap<>();
            sink.put("topics", String.join(",", PREFIX + "customer-profiles", PREFIX + "segment-members",
                    PREFIX + "segment-changes", PREFIX + "social-metrics", PREFIX + "erasure-receipts"));
            sink.put("connection.url", pg.getJdbcUrl("postgres", "postgres"));
            sink.put("connection.username", "postgres");
            sink.put("connection.password", "postgres");
            sink.put("transforms.tables.topic.prefix", PREFIX);
            sink.put("errors.deadletterqueue.topic.name", PREFIX + "bi-dead-letters");
            ConnectWorker worker = ConnectWorker.start(stack, "bi-connect", dir, Map.of());
            try {
                worker.putConnector("connect/sink-postgres.json", sink);
                awaitTablesMatchTopics(stack, topics, db);

                CustomerProfile alice = latestProfile(stack, topics, registry, "alice");
                Map<String, Object> row = one(db, "SELECT influence_score, segments, platforms, contactable, updated_at, "
                        + "accounts->0->>'platform' AS first_platform FROM customers WHERE customer_id = 'alice'");
                assertEquals(alice.getInfluence().getScore(), (Double) row.get("influence_score"), 1e-9, "typed columns: " + row);
                assertEquals("{everyone}", row.get("segments").toString(), "a text[] of the segments: " + row);
                assertEquals("{twitter}", row.get("platforms").toString());
                assertEquals("twitter", row.get("first_platform"), "the accounts as JSON");
                assertEquals(alice.getUpdatedAt(), ((Timestamp) row.get("updated_at")).toInstant(), "a timestamptz");
                assertTrue(count(db, "SELECT count(*) FROM segment_changes WHERE customer_id = 'alice'") > 0);
                for (String query : documentedQueries()) {
                    assertTrue(rows(db, query) > 0, "docs/bi.md's query answers: " + query);
                }

                // erasure and merge, while the sink runs
                String request = "req-" + UUID.randomUUID();
                client.send(topics.erasureRequests, "alice", new ErasureRequest(request, "alice", Instant.now()));
                client.send(topics.customerMerges, "dan", new CustomerMerge("carol", "dan", Instant.now()));
                client.flush();
                TestServices.awaitIdle(stack, service, Duration.ofMinutes(2));
                await("the erasure reaching the warehouse").atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    assertEquals(1, count(db, "SELECT count(*) FROM erasure_receipts WHERE request_id = '" + request + "'"));
                    for (String table : CUSTOMER_TABLES) {
                        assertEquals(Set.of(), strings(db, "SELECT customer_id FROM " + table + " WHERE customer_id IN ('alice', 'dan')"),
                                table + " still names alice or the merged dan");
                    }
                });
                Map<String, Object> receipt = one(db, "SELECT customer_id, warehouse_cleared_at, held_data FROM erasure_receipts "
                        + "WHERE request_id = '" + request + "'");
                assertNull(receipt.get("customer_id"), "the receipt does not name the customer: " + receipt);
                assertNotNull(receipt.get("warehouse_cleared_at"), "the receipt says the warehouse copy was cleared");
                assertEquals(true, receipt.get("held_data"));
                assertEquals(0, countMentions(db, "alice"), "no row anywhere names alice");
                awaitTablesMatchTopics(stack, topics, db);
                assertEquals("{bluesky,mastodon}", one(db, "SELECT platforms FROM customers WHERE customer_id = 'carol'")
                        .get("platforms").toString(), "the survivor is current: it holds the merged accounts");

                // a record the sink cannot read goes to its dead-letter topic; the task goes on
                try (KafkaProducer<String, byte[]> raw = Producers.create(stack.bootstrapServers(), Map.of(), new StringSerializer(),
                        new ByteArraySerializer())) {
                    raw.send(new ProducerRecord<>(PREFIX + "customer-profiles", "garbage", "not avro".getBytes(StandardCharsets.UTF_8))).get();
                }
                client.act("carol", Instant.now());
                client.flush();
                await("the bad record dead-lettered").atMost(Duration.ofSeconds(60))
                        .until(() -> TopicRecords.readAll(stack.bootstrapServers(), PREFIX + "bi-dead-letters").size() == 1);
                assertEquals("RUNNING", worker.status("socialcrm-postgres").path("tasks").path(0).path("state").asText());

                // a restarted worker goes on where it stopped: nothing lost, nothing twice
                worker.close();
                client.grant("erin", PLATFORM.get("erin"), Instant.now());
                client.act("erin", Instant.now());
                client.flush();
                TestServices.awaitIdle(stack, service, Duration.ofMinutes(2));
                worker = ConnectWorker.start(stack, "bi-connect", dir, Map.of());
                ConnectWorker restarted = worker;
                await("the restarted sink").atMost(Duration.ofSeconds(90))
                        .until(() -> count(db, "SELECT count(*) FROM customers WHERE customer_id = 'erin'") == 1);
                awaitTablesMatchTopics(stack, topics, db);
                assertEquals(1, TopicRecords.readAll(stack.bootstrapServers(), PREFIX + "bi-dead-letters").size(),
                        "the bad record was not read again");
                assertEquals("RUNNING", restarted.status("socialcrm-postgres").path("tasks").path(0).path("state").asText());
            } finally {
                worker.close();
            }
        }
    }

    /** Every table holds what its topic says now: one row per live key, and no other. */
    private static void awaitTablesMatchTopics(LocalStack stack, Topics topics, DataSource db) {
        await("the tables matching the topics").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Set<String> profiles = liveKeys(stack, topics.customerProfiles.name());
                    assertEquals(profiles, strings(db, "SELECT customer_id FROM customers"), "customers");
                    Set<String> members = liveKeys(stack, topics.segmentMembers.name());
                    assertEquals(members, strings(db, "SELECT segment_id || '/' || customer_id FROM segment_members"),
                            "segment_members (" + MemberKey.of("segment", "customer") + ")");
                    assertEquals(Set.copyOf(TopicRecords.readAll(stack.bootstrapServers(), topics.socialMetrics.name()).stream()
                            .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList()),
                            strings(db, "SELECT DISTINCT platform FROM social_metrics"), "social_metrics");
                    assertTrue(count(db, "SELECT count(*) FROM segment_changes") > 0, "segment_changes");
                });
    }

    /** Keys whose latest record is not a tombstone (records not in the Avro wire format left out: they are dead-lettered). */
    private static Set<String> liveKeys(LocalStack stack, String topic) {
        Map<String, Boolean> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topic)) {
            if (r.value() != null && (r.value().length < 5 || r.value()[0] != 0)) {
                continue;
            }
            latest.put(new String(r.key(), StandardCharsets.UTF_8), r.value() != null);
        }
        Set<String> live = new HashSet<>();
        latest.forEach((k, v) -> {
            if (v) {
                live.add(k);
            }
        });
        return live;
    }

    private static CustomerProfile latestProfile(LocalStack stack, Topics topics, SchemaRegistryConfig registry, String id) {
        CustomerProfile latest = null;
        var deserializer = Topics.valueSerde(topics.customerProfiles, registry).deserializer();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.customerProfiles.name())) {
            if (id.equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() != null) {
                latest = deserializer.deserialize(topics.customerProfiles.name(), r.value());
            }
        }
        assertNotNull(latest, "a profile of " + id);
        return latest;
    }

    /** The SQL blocks of docs/bi.md. */
    private static List<String> documentedQueries() throws Exception {
        String doc = Files.readString(Compose.DOCKER.resolveSibling("docs").resolve("bi.md"));
        List<String> queries = new ArrayList<>();
        Matcher m = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            queries.add(m.group(1).trim());
        }
        assertTrue(queries.size() >= 3, "docs/bi.md has its example queries");
        return queries;
    }


    private static void migrate(DataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(Files.readString(MIGRATION));
        }
    }

    /** Rows of every table of the schema in which some column's text holds {@code needle}. */
    private static long countMentions(DataSource db, String needle) throws SQLException {
        long n = 0;
        for (String table : strings(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            n += count(db, "SELECT count(*) FROM " + table + " t WHERE t::text LIKE '%" + needle + "%'");
        }
        return n;
    }




    /** The test's writer: socialcrm's own ContractWriter, with the named customers' consents and posts. */
    private static final class Client implements AutoCloseable {
        private final Topics topics;
        private final ContractWriter writer;

        Client(LocalStack stack, Topics topics, SchemaRegistryConfig registry) {
            this.topics = topics;
            this.writer = new ContractWriter(stack.bootstrapServers(), Map.of(), registry, DeliveryTracker.DEFAULT_STALL_LIMIT);
        }

        <V extends SpecificRecord> void send(Topic<V> topic, String key, V value) {
            writer.send(topic, key, value);
        }

        /** A customer's consent for their account, user id "bi-" + name. */
        void grant(String customer, String platform, Instant at) {
            send(topics.consents, platform + ":bi-" + customer, ConsentRecord.newBuilder().setCustomerId(customer).setPlatform(platform)
                    .setPlatformUserId("bi-" + customer).setHandle("h").setScopes(List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT))
                    .setStatus(ConsentStatus.GRANTED).setPolicyVersion("2026-11").setSource("it").setRecordedAt(at).build());
        }

        /** A post by the named customer's account. */
        void act(String customer, Instant at) {
            String platform = PLATFORM.get(customer);
            send(topics.socialActivity, platform + ":bi-" + customer, SocialActivity.newBuilder().setEventId("e-" + UUID.randomUUID())
                    .setPlatform(platform).setActorId("bi-" + customer).setActorHandle("h").setType(ActivityType.POST)
                    .setText("at the #premierleague game").setHashtags(List.of("premierleague")).setOccurredAt(at)
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
}
