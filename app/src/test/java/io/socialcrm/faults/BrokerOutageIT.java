package io.socialcrm.faults;

import static org.awaitility.Awaitility.await;
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
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.Producers;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away for a while under load and comes back: the application recovers by itself
 * (no restart, no ERROR), and every activity acknowledged to its producer is counted exactly once.
 */
class BrokerOutageIT {
    private static final int ACCOUNTS = 20;

    @Test
    void theApplicationRecoversByItselfAndCountsEveryActivityOnce(@TempDir Path dir) throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withPartitions(4))) {
            String prefix = "outage.";
            Topics topics = Topics.withPrefix(prefix);
            try (var admin = stack.admin()) {
                new TopicAdmin(admin, topics).createMissing(4, (short) 1);
            }
            SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
            var activities = Topics.valueSerde(topics.socialActivity, registry).serializer();
            var consents = Topics.valueSerde(topics.consents, registry).serializer();
            Instant t = Instant.now().minus(Duration.ofHours(1));
            Set<KafkaStreams.State> seen = EnumSet.noneOf(KafkaStreams.State.class);
            Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
            Set<String> failures = new ConcurrentSkipListSet<>();
            try (Service service = Service.start(TestServices.settings(stack, "outage-app", prefix, dir.resolve("state"),
                    Map.of("influence.halflife", "off", "segments.seed", "false")));
                 KafkaProducer<String, byte[]> producer = Producers.create(stack.bootstrapServers(), Map.of("linger.ms", "5"),
                         new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < ACCOUNTS; i++) {
                    producer.send(new ProducerRecord<>(topics.consents.name(), "twitter:" + i, consents.serialize(topics.consents.name(),
                            ConsentRecord.newBuilder().setCustomerId("c" + i).setPlatform("twitter").setPlatformUserId(Integer.toString(i))
                                    .setHandle(null).setScopes(List.of(ConsentScope.ACTIVITY)).setStatus(ConsentStatus.GRANTED)
                                    .setPolicyVersion(null).setSource(null).setRecordedAt(t).build())));
                }
                producer.flush();
                service.awaitRunning(Duration.ofMinutes(2));
                AtomicBoolean producing = new AtomicBoolean(true);
                AtomicBoolean watching = new AtomicBoolean(true);
                Thread watcher = new Thread(() -> {
                    while (watching.get()) {
                        synchronized (seen) {
                            seen.add(service.pipeline().streams().state());
                        }
                        sleep(50);
                    }
                }, "state-watcher");
                watcher.start();
                Thread load = new Thread(() -> {
                    long n = 0;
                    while (producing.get()) {
                        String account = Long.toString(n % ACCOUNTS);
                        SocialActivity post = SocialActivity.newBuilder().setEventId("outage-" + n).setPlatform("twitter")
                                .setActorId(account).setActorHandle(null).setType(ActivityType.POST).setText("hello")
                                .setOccurredAt(t.plusMillis(n)).setSource("outage-it").build();
                        producer.send(new ProducerRecord<>(topics.socialActivity.name(), "twitter:" + account,
                                activities.serialize(topics.socialActivity.name(), post)), (meta, error) -> {
                                    if (error == null) {
                                        acked.computeIfAbsent(account, a -> new AtomicLong()).incrementAndGet();
                                    } else {
                                        failures.add(error.getClass().getSimpleName() + ": " + error.getMessage());
                                    }
                                });
                        n++;
                        sleep(10);
                    }
                }, "load");
                load.start();
                // the outage's shape, not a wait for an outcome: 5 s of load, a 12 s outage (longer than the
                // transaction timeout of the application's producer, 10 s), 5 s of load after it
                Thread.sleep(5_000);
                stack.stopBroker();
                Thread.sleep(12_000);
                stack.startBroker();
                Thread.sleep(5_000);
                producing.set(false);
                load.join();
                producer.flush();
                assertEquals(Set.of(), failures, "every send succeeded in the end (retries)");

                long total = acked.values().stream().mapToLong(AtomicLong::get).sum();
                assertTrue(total > 500, "load before, during and after the outage: " + total);
                Map<String, Long> expected = new TreeMap<>();
                acked.forEach((account, count) -> expected.put("c" + account, count.get()));
                await("every acknowledged post counted").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertEquals(expected, activityLevels(stack, topics, registry),
                                "each customer's activity level is the number of its acknowledged posts"));
                watching.set(false);
                watcher.join();
                assertEquals(KafkaStreams.State.RUNNING, service.pipeline().streams().state(), "recovered by itself");
                synchronized (seen) {
                    assertTrue(!seen.contains(KafkaStreams.State.ERROR) && !seen.contains(KafkaStreams.State.NOT_RUNNING),
                            "never stopped: " + seen);
                }
            }
        }
    }

    private static Map<String, Long> activityLevels(LocalStack stack, Topics topics, SchemaRegistryConfig registry) {
        var deserializer = Topics.valueSerde(topics.customerProfiles, registry).deserializer();
        Map<String, Long> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.customerProfiles.name())) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() != null) {
                CustomerProfile p = deserializer.deserialize(r.topic(), r.value());
                latest.put(key, Math.round(p.getActivityLevel()));
            }
        }
        latest.values().removeIf(v -> v == 0);
        return latest;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
