package io.socialcrm.errors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.app.Service;
import io.socialcrm.app.TestServices;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.Producers;
import io.socialcrm.serde.AvroSerde;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import io.socialcrm.testing.TopicRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile-input corpus on the real broker and registry, exactly-once: every bad record lands in
 * dead-letters with its original bytes and its reason, every good one around them is processed once,
 * and the application stays RUNNING with all its threads.
 */
class HostileInputIT {
    private record Bad(String name, String topic, byte[] key, byte[] value, String exception, String reason) {
    }

    @Test
    void everyBadRecordIsDeadLetteredWithItsReasonAndEveryGoodOneProcessed(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        String prefix = "hostile.";
        Topics topics = Topics.withPrefix(prefix);
        SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
        var activities = Topics.valueSerde(topics.socialActivity, registry).serializer();
        var consents = Topics.valueSerde(topics.consents, registry).serializer();
        Instant t = Instant.now().minus(Duration.ofMinutes(30));
        try (Service service = Service.start(TestServices.settings(stack, "hostile-app", prefix, dir.resolve("state"),
                Map.of("influence.halflife", "off", "segments.seed", "false")));
             KafkaProducer<byte[], byte[]> producer = Producers.create(stack.bootstrapServers(), Map.of(),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            service.awaitRunning(Duration.ofMinutes(2));
            int threads = service.pipeline().streams().metadataForLocalThreads().size();
            for (String user : List.of("1", "2")) {
                producer.send(new ProducerRecord<>(topics.consents.name(), key("twitter:" + user), consents.serialize(topics.consents.name(),
                        ConsentRecord.newBuilder().setCustomerId("c" + user).setPlatform("twitter").setPlatformUserId(user)
                                .setHandle(null).setScopes(List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT)).setStatus(ConsentStatus.GRANTED)
                                .setPolicyVersion(null).setSource(null).setRecordedAt(t).build())));
            }
            producer.flush();
            List<byte[]> goodPosts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                goodPosts.add(activities.serialize(topics.socialActivity.name(), post("1", "good-" + i, t.plusSeconds(60 + i)).build()));
            }
            byte[] good = goodPosts.get(0);
            byte[] wrongMagic = good.clone();
            wrongMagic[0] = 7;
            byte[] unknownId = good.clone();
            ByteBuffer.wrap(unknownId).putInt(1, 424_242);
            Schema withoutEventId = SchemaBuilder.record("SocialActivity").namespace("io.socialcrm.avro").fields()
                    .requiredString("platform").requiredString("actorId").endRecord();
            GenericRecord missing = new GenericData.Record(withoutEventId);
            missing.put("platform", "twitter");
            missing.put("actorId", "1");
            byte[] missingField = AvroSerde.generic(registry, false).serializer().serialize("hostile.old-producer", missing);

            List<Bad> corpus = List.of(
                    new Bad("truncated Avro", topics.socialActivity.name(), key("twitter:1"), Arrays.copyOf(good, good.length - 4),
                            "TruncatedPayloadException", "ends early"),
                    new Bad("wrong magic byte", topics.socialActivity.name(), key("twitter:1"), wrongMagic,
                            "UnknownMagicByteException", "magic byte 0x07"),
                    new Bad("unknown schema id", topics.socialActivity.name(), key("twitter:1"), unknownId,
                            "UnknownSchemaIdException", "424242"),
                    new Bad("not Avro at all", topics.socialActivity.name(), key("twitter:1"),
                            "{\"eventId\": \"json\"}".getBytes(StandardCharsets.UTF_8), "UnknownMagicByteException", "magic byte 0x7b"),
                    new Bad("missing required fields", topics.socialActivity.name(), key("twitter:1"), missingField,
                            "MalformedPayloadException", "missing required field"),
                    new Bad("huge text", topics.socialActivity.name(), key("twitter:1"), activities.serialize(topics.socialActivity.name(),
                            post("1", "huge", t.plusSeconds(70)).setText("ab".repeat(40_000)).build()),
                            "InvalidRecordException", "text is longer than 65536"),
                    new Bad("negative timestamp", topics.socialActivity.name(), key("twitter:1"), activities.serialize(
                            topics.socialActivity.name(), post("1", "negative", Instant.ofEpochMilli(-5_000)).build()),
                            "InvalidRecordException", "before 1970"),
                    new Bad("far-future timestamp", topics.socialActivity.name(), key("twitter:1"), activities.serialize(
                            topics.socialActivity.name(), post("1", "future", Instant.now().plus(Duration.ofDays(365))).build()),
                            "InvalidRecordException", "after the record's timestamp"),
                    new Bad("invalid UTF-8 key", topics.socialActivity.name(), new byte[] {'t', 'w', (byte) 0xff, (byte) 0xfe, ':', '1'},
                            goodPosts.get(1), "MalformedKeyException", "not UTF-8"),
                    new Bad("key of another account", topics.socialActivity.name(), key("twitter:2"), goodPosts.get(1),
                            "InvalidRecordException", "key is not the account key"),
                    new Bad("tombstone on an append-only topic", topics.socialActivity.name(), key("twitter:1"), null,
                            "InvalidRecordException", "activity has no value"),
                    new Bad("consent for an unknown platform", topics.consents.name(), key("friendster:9"), consents.serialize(
                            topics.consents.name(), ConsentRecord.newBuilder().setCustomerId("c9").setPlatform("friendster")
                                    .setPlatformUserId("9").setHandle(null).setScopes(List.of(ConsentScope.ACTIVITY))
                                    .setStatus(ConsentStatus.GRANTED).setPolicyVersion(null).setSource(null).setRecordedAt(t).build()),
                            "InvalidRecordException", "platform 'friendster'"));
            // good and bad interleaved, on one partition of the actor so that the order is kept; a duplicate among them
            producer.send(new ProducerRecord<>(topics.socialActivity.name(), key("twitter:1"), goodPosts.get(0)));
            for (int i = 0; i < corpus.size(); i++) {
                Bad bad = corpus.get(i);
                producer.send(new ProducerRecord<>(bad.topic(), bad.key(), bad.value()));
                if (i + 1 < goodPosts.size()) {
                    producer.send(new ProducerRecord<>(topics.socialActivity.name(), key("twitter:1"), goodPosts.get(i + 1)));
                }
            }
            producer.send(new ProducerRecord<>(topics.socialActivity.name(), key("twitter:1"), goodPosts.get(3)));
            producer.send(new ProducerRecord<>(topics.socialActivity.name(), key("twitter:2"), activities.serialize(
                    topics.socialActivity.name(), SocialActivity.newBuilder(post("2", "like", t.plusSeconds(90)).build())
                            .setType(ActivityType.LIKE).setTargetUserId("1").setTargetPostId("p").build())));
            producer.flush();

            await("every bad record dead-lettered, every good one counted").atMost(Duration.ofSeconds(90)).until(() -> {
                CustomerProfile alice = profile(stack, topics, registry, "c1");
                return TopicRecords.readAll(stack.bootstrapServers(), topics.deadLetters.name()).size() >= corpus.size()
                        && alice != null && alice.getActivityLevel() >= 6 && alice.getInfluence().getLikesReceived() >= 1;
            });
            List<ConsumerRecord<byte[], byte[]>> dead = TopicRecords.readAll(stack.bootstrapServers(), topics.deadLetters.name());
            Map<String, ConsumerRecord<byte[], byte[]>> byReason = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                byReason.put(header(r, DeadLetters.HEADER_MESSAGE), r);
            }
            assertEquals(corpus.size(), dead.size(), "one dead letter per bad record: " + byReason.keySet());
            for (Bad bad : corpus) {
                ConsumerRecord<byte[], byte[]> letter = dead.stream().filter(r -> header(r, DeadLetters.HEADER_EXCEPTION).endsWith(bad.exception())
                        && header(r, DeadLetters.HEADER_MESSAGE).contains(bad.reason())).findFirst()
                        .orElseThrow(() -> new AssertionError(bad.name() + ": no dead letter with " + bad.exception() + " / '"
                                + bad.reason() + "' among " + byReason.keySet()));
                assertArrayEquals(bad.key(), letter.key(), bad.name() + ": the original key");
                assertArrayEquals(bad.value(), letter.value(), bad.name() + ": the original bytes");
                assertEquals(bad.topic(), header(letter, DeadLetters.HEADER_TOPIC), bad.name());
                assertTrue(Long.parseLong(header(letter, DeadLetters.HEADER_OFFSET)) >= 0, bad.name());
            }
            CustomerProfile alice = profile(stack, topics, registry, "c1");
            assertEquals(6.0, alice.getActivityLevel(), 1e-9, "the 6 good posts, each once (one was sent twice)");
            assertEquals(1.0, alice.getInfluence().getLikesReceived(), 1e-9, "the like after the corpus");
            assertEquals(1, service.pipeline().topology().counters().get(Counter.DUPLICATES_DROPPED), "the repeated event id was dropped, once");
            assertEquals(corpus.size(), service.pipeline().topology().counters().get(Counter.DEAD_LETTERED));
            assertEquals(KafkaStreams.State.RUNNING, service.pipeline().streams().state(), "still running");
            assertEquals(threads, service.pipeline().streams().metadataForLocalThreads().size(), "no thread lost or replaced");
        }
    }

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static SocialActivity.Builder post(String actor, String eventId, Instant at) {
        return SocialActivity.newBuilder().setEventId(eventId).setPlatform("twitter").setActorId(actor).setActorHandle(null)
                .setType(ActivityType.POST).setText("hello").setOccurredAt(at).setSource("hostile-it");
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static CustomerProfile profile(LocalStack stack, Topics topics, SchemaRegistryConfig registry, String id) {
        var deserializer = Topics.valueSerde(topics.customerProfiles, registry).deserializer();
        CustomerProfile latest = null;
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.customerProfiles.name())) {
            if (id.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                latest = r.value() == null ? null : deserializer.deserialize(r.topic(), r.value());
            }
        }
        return latest;
    }
}
