package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.ProfileSnapshot;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Influence scores rank each customer among all customers, not among its partition's: two
 * instances, four partitions, 10,000 customers, each score within 2 points of the exact rank.
 */
class PercentileIT {
    private static final int CUSTOMERS = 10_000;

    @Test
    void scoresAgreeWithTheExactRankAcrossPartitionsAndInstances(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Settings a = TestServices.settings(stack, "pct-app", "pct.", dir.resolve("a"), Map.of(
                AppConfig.HTTP_ENABLED.name(), "false", AppConfig.INFLUENCE_HALFLIFE.name(), "off",
                AppConfig.ENGAGERS_SALT.name(), "percentile-test-salt-0001"));
        Settings b = a.with(Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("b").toString()), "test");

        try (Pipeline first = Pipeline.create(a); Pipeline second = Pipeline.create(b)) {
            Topics topics = first.topology().topics();
            produce(stack, topics, StreamsProperties.registry(a));
            first.start();
            second.start();
            first.awaitRunning(Duration.ofMinutes(2));
            second.awaitRunning(Duration.ofMinutes(2));
            try (Admin admin = stack.admin()) {
                new Progress(admin, "pct-app").awaitIdle(List.of(topics.socialActivity.name(), topics.consents.name(),
                        topics.socialProfiles.name()), List.of(topics.customerProfiles.name()), Duration.ofSeconds(8),
                        Duration.ofMinutes(5), lag -> { });
            }
            assertFalse(first.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty(), "A has tasks");
            assertFalse(second.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty(), "B has tasks");

            Map<String, CustomerProfile> profiles = latestProfiles(stack, topics, StreamsProperties.registry(a));
            assertEquals(CUSTOMERS, profiles.size());
            double[] raws = profiles.values().stream().mapToDouble(p -> p.getInfluence().getRaw()).sorted().toArray();
            double worst = 0;
            for (CustomerProfile p : profiles.values()) {
                double raw = p.getInfluence().getRaw();
                int below = lowerBound(raws, raw);
                double exact = 100.0 * below / raws.length;
                worst = Math.max(worst, Math.abs(exact - p.getInfluence().getScore()));
            }
            System.out.printf("PercentileIT: largest gap between a score and the exact rank over %d customers: %.2f points%n",
                    profiles.size(), worst);
            assertTrue(worst <= 2.0, "largest gap between a score and the exact rank: " + worst + " points");
            double top = profiles.values().stream().mapToDouble(p -> p.getInfluence().getScore()).max().orElse(0);
            assertTrue(top >= 99.0, "the most influential customer ranks at the top: " + top);
        }
    }

    /** 10,000 consented customers, followers from a log-normal, and some shares for one in five. */
    private static void produce(LocalStack stack, Topics topics, SchemaRegistryConfig registry) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        Random random = new Random(42);
        Instant t = Instant.parse("2026-05-01T00:00:00Z");
        Serializer<ConsentRecord> consents = Topics.valueSerde(topics.consents, registry).serializer();
        Serializer<ProfileSnapshot> snapshots = Topics.valueSerde(topics.socialProfiles, registry).serializer();
        Serializer<SocialActivity> activities = Topics.valueSerde(topics.socialActivity, registry).serializer();
        try (KafkaProducer<String, byte[]> producer = Producers.create(stack.bootstrapServers(), props, Topics.keySerde().serializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < CUSTOMERS; i++) {
                String key = "twitter:" + i;
                producer.send(new ProducerRecord<>(topics.consents.name(), key, consents.serialize(topics.consents.name(),
                        ConsentRecord.newBuilder().setCustomerId("c" + i).setPlatform("twitter").setPlatformUserId("" + i)
                                .setScopes(List.of(ConsentScope.ACTIVITY, ConsentScope.PROFILE)).setStatus(ConsentStatus.GRANTED)
                                .setRecordedAt(t).build())));
                long followers = Math.round(Math.exp(5 + 2.5 * random.nextGaussian()));
                producer.send(new ProducerRecord<>(topics.socialProfiles.name(), key, snapshots.serialize(topics.socialProfiles.name(),
                        ProfileSnapshot.newBuilder().setPlatform("twitter").setPlatformUserId("" + i).setFollowers(followers)
                                .setFollowing(10).setPosts(100).setFetchedAt(t.plusSeconds(1)).build())));
                if (i % 5 == 0) {
                    for (int s = 0; s < 1 + random.nextInt(4); s++) {
                        String fan = "fan" + random.nextInt(500);
                        producer.send(new ProducerRecord<>(topics.socialActivity.name(), "twitter:" + fan,
                                activities.serialize(topics.socialActivity.name(), SocialActivity.newBuilder()
                                        .setEventId("s-" + i + "-" + s).setPlatform("twitter").setActorId(fan)
                                        .setType(ActivityType.SHARE).setTargetUserId("" + i)
                                        .setOccurredAt(t.plusSeconds(2 + s)).build())));
                    }
                }
            }
        }
    }

    private static Map<String, CustomerProfile> latestProfiles(LocalStack stack, Topics topics, SchemaRegistryConfig registry) {
        var deserializer = Topics.valueSerde(topics.customerProfiles, registry).deserializer();
        Map<String, CustomerProfile> latest = new HashMap<>();
        for (var r : TopicRecords.readAll(stack.bootstrapServers(), topics.customerProfiles.name())) {
            String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, deserializer.deserialize(r.topic(), r.value()));
            }
        }
        return latest;
    }

    /** Number of values strictly below {@code value} in a sorted array. */
    private static int lowerBound(double[] sorted, double value) {
        int i = Arrays.binarySearch(sorted, value);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && sorted[i - 1] == value) {
            i--;
        }
        return i;
    }
}
