package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.Producers;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import io.socialcrm.testing.TopicRecords;
import io.socialcrm.topology.StreamsProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Duplicates count once across clean restarts on a real broker: on a new state directory (the
 * de-duplication batches restored from their changelog, the index rebuilt from them) and on the same
 * one (the index kept, as its clean-close marker says). More shares than one batch holds, so that a
 * sealed batch and the open one written by the commit that follows the close are both read back.
 */
class DeduplicationIT {
    private static final Instant T = Instant.parse("2026-06-01T00:00:00Z");
    private static final int SHARES = 300;

    @Test
    void sharesSentAgainAfterCleanRestartsCountOnce(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Settings first = TestServices.settings(stack, "dedupe-app", "dedupe.", dir.resolve("a"), Map.of(
                AppConfig.HTTP_ENABLED.name(), "false", AppConfig.INFLUENCE_HALFLIFE.name(), "off"));
        Topics topics = Topics.withPrefix("dedupe.");
        SchemaRegistryConfig registry = StreamsProperties.registry(first);

        run(stack, first, () -> {
            produce(stack, topics, registry, true, 0, SHARES);
        });
        assertEquals(SHARES, sharesOf(stack, topics, registry), "the first run counts every share");

        Settings elsewhere = first.with(Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("b").toString()), "test");
        run(stack, elsewhere, () -> produce(stack, topics, registry, false, 0, SHARES + 5));
        assertEquals(SHARES + 5, sharesOf(stack, topics, registry),
                "on a new state directory: the shares seen before count once, the five new ones count");

        run(stack, elsewhere, () -> produce(stack, topics, registry, false, 0, SHARES + 6));
        assertEquals(SHARES + 6, sharesOf(stack, topics, registry), "on the same state directory again");
    }

    /** Starts an instance, sends what {@code send} sends, waits until it is all processed, and closes it cleanly. */
    private static void run(LocalStack stack, Settings settings, Runnable send) throws Exception {
        try (Pipeline pipeline = Pipeline.create(settings)) {
            pipeline.start();
            pipeline.awaitRunning(Duration.ofMinutes(2));
            send.run();
            Topics topics = pipeline.topology().topics();
            try (Admin admin = stack.admin()) {
                new Progress(admin, "dedupe-app").awaitIdle(List.of(topics.socialActivity.name(), topics.consents.name()),
                        List.of(topics.customerProfiles.name()), Duration.ofSeconds(4), Duration.ofMinutes(3), lag -> { });
            }
        }
    }

    /** The consent of customer c1 for twitter:1 (once), and shares of its post by fans, event ids s-{from}..s-{to - 1}. */
    private static void produce(LocalStack stack, Topics topics, SchemaRegistryConfig registry, boolean consent, int from, int to) {
        Serializer<ConsentRecord> consents = Topics.valueSerde(topics.consents, registry).serializer();
        Serializer<SocialActivity> activities = Topics.valueSerde(topics.socialActivity, registry).serializer();
        try (KafkaProducer<String, byte[]> producer = Producers.create(stack.bootstrapServers(), new Properties(),
                Topics.keySerde().serializer(), new ByteArraySerializer())) {
            if (consent) {
                producer.send(new ProducerRecord<>(topics.consents.name(), "twitter:1", consents.serialize(topics.consents.name(),
                        ConsentRecord.newBuilder().setCustomerId("c1").setPlatform("twitter").setPlatformUserId("1")
                                .setScopes(List.of(ConsentScope.ACTIVITY)).setStatus(ConsentStatus.GRANTED).setRecordedAt(T).build())));
            }
            for (int i = from; i < to; i++) {
                String fan = "fan" + (i % 50);
                producer.send(new ProducerRecord<>(topics.socialActivity.name(), "twitter:" + fan,
                        activities.serialize(topics.socialActivity.name(), SocialActivity.newBuilder()
                                .setEventId("s-" + i).setPlatform("twitter").setActorId(fan).setType(ActivityType.SHARE)
                                .setTargetUserId("1").setTargetPostId("p1").setOccurredAt(T.plusSeconds(1 + i)).build())));
            }
        }
    }

    /** Shares received by c1, from its latest profile. */
    private static double sharesOf(LocalStack stack, Topics topics, SchemaRegistryConfig registry) {
        var deserializer = Topics.valueSerde(topics.customerProfiles, registry).deserializer();
        CustomerProfile latest = null;
        for (var r : TopicRecords.readAll(stack.bootstrapServers(), topics.customerProfiles.name())) {
            if ("c1".equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() != null) {
                latest = deserializer.deserialize(r.topic(), r.value());
            }
        }
        return latest == null ? -1 : latest.getInfluence().getSharesReceived();
    }
}
