package io.socialcrm.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.app.Main;
import io.socialcrm.app.Progress;
import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.bench.ChildJvm;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.Producers;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import io.socialcrm.testing.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the application (a JVM of its own) in the middle of its input, then a restart: under
 * exactly-once, the segment changes it writes are the same as a clean run's over the same input,
 * none lost and none twice. The input and the segment rules are deterministic (no decay; each
 * customer one account, rules on the customer's own activity), so the two runs can be compared
 * change for change, timestamps and reasons included.
 *
 * <p>The anonymous counts too: every window of {@code social-metrics} (activities seen and accepted,
 * active accounts, consents granted) ends with the totals of the clean run, each activity and consent
 * counted once, though the kill came with counts buffered in the stages and not yet sent.
 *
 * <p>The same holds for contact opportunities: one campaign segment every customer enters in the first
 * minutes (Sunday 00:00 UTC, in quiet hours 00:00-02:00), so each customer's opportunity is scheduled
 * before the kill and due at 02:00, after it: the restarted application writes each exactly once, at
 * that time.
 */
class CrashRecoveryIT {
    private static final int CUSTOMERS = 150;
    private static final int POSTS = 9_000;
    private static final List<String[]> TOPICS_OF_POSTS = List.of(new String[] {"premierleague", "the premier league game"},
            new String[] {"gardening", "sowing seedlings in the garden"}, new String[] {"nba", "basketball tonight"},
            new String[] {"coffee", "a good coffee"});

    private static final Instant T = Instant.parse("2026-11-01T00:00:00Z");

    private static List<SegmentDefinition> definitions() {
        return List.of(definition("soccer-fans", "context(\"soccer\") >= 12.0", "context(\"soccer\") < 3.0"),
                definition("gardeners", "context(\"garden\") >= 12.0", "context(\"garden\") < 3.0"),
                definition("busy", "activity.level >= 40.0", "activity.level < 10.0"),
                definition("hoopers", "context(\"basketball\") >= 10.0 && activity.level < 50.0", "activity.level >= 55.0"),
                SegmentDefinition.newBuilder(definition("first-posts", "activity.level >= 3.0", "activity.level < 1.0"))
                        .setCampaign(true).build());
    }

    /** When every customer's contact opportunity is due: the end of the quiet hours (see the config). */
    private static final Instant CONTACT_AT = T.plus(Duration.ofHours(2));

    private static SegmentDefinition definition(String id, String enter, String exit) {
        return SegmentDefinition.newBuilder().setId(id).setDescription(id).setEnterWhen(enter).setExitWhen(exit).setVersion(1)
                .setEnabled(true).build();
    }

    /** The segment definitions and every customer's consent: what is in place before activity flows. */
    private static void produceSetup(LocalStack stack, Topics topics) {
        SchemaRegistryConfig registry = SchemaRegistryConfig.of(stack.schemaRegistryUrl());
        var consents = Topics.valueSerde(topics.consents, registry).serializer();
        var segments = Topics.valueSerde(topics.segmentDefinitions, registry).serializer();
        try (KafkaProducer<String, byte[]> producer = Producers.create(stack.bootstrapServers(), Map.of(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (SegmentDefinition d : definitions()) {
                producer.send(new ProducerRecord<>(topics.segmentDefinitions.name(), d.getId(),
                        segments.serialize(topics.segmentDefinitions.name(), d)));
            }
            for (int c = 0; c < CUSTOMERS; c++) {
                producer.send(new ProducerRecord<>(topics.consents.name(), "twitter:" + c, consents.serialize(topics.consents.name(),
                        ConsentRecord.newBuilder().setCustomerId("c" + c).setPlatform("twitter").setPlatformUserId(Integer.toString(c))
                                .setHandle(null).setScopes(List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.MESSAGING))
                                .setStatus(ConsentStatus.GRANTED).setPolicyVersion(null).setSource(null).setRecordedAt(T).build())));
            }
        }
    }

    private static void produceActivities(LocalStack stack, Topics topics) {
        produceActivities(stack, topics, 0);
    }

    /**
     * The activities, in the same order whatever the pace: with {@code pauseMs} > 0, a pause after
     * every hundred (so that the application under test is still being fed when it is killed, however
     * fast it is: sent all at once, 9,000 activities were once all processed before the test's first
     * look at the offsets).
     */
    private static void produceActivities(LocalStack stack, Topics topics, long pauseMs) {
        var activities = Topics.valueSerde(topics.socialActivity, SchemaRegistryConfig.of(stack.schemaRegistryUrl())).serializer();
        try (KafkaProducer<String, byte[]> producer = Producers.create(stack.bootstrapServers(), Map.of(
                "linger.ms", "20"), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < POSTS; i++) {
                if (pauseMs > 0 && i > 0 && i % 100 == 0) {
                    producer.flush();
                    try {
                        Thread.sleep(pauseMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while producing", e);
                    }
                }
                int c = (int) ((i * 7919L) % CUSTOMERS);
                String[] topic = TOPICS_OF_POSTS.get((c + i / CUSTOMERS) % 3 == 0 ? 3 : c % 3);
                SocialActivity post = SocialActivity.newBuilder().setEventId("crash-" + i).setPlatform("twitter")
                        .setActorId(Integer.toString(c)).setActorHandle(null).setType(ActivityType.POST).setText(topic[1])
                        .setHashtags(List.of(topic[0])).setOccurredAt(T.plusSeconds(60L + i)).setSource("crash-it").build();
                producer.send(new ProducerRecord<>(topics.socialActivity.name(), "twitter:" + c,
                        activities.serialize(topics.socialActivity.name(), post)));
            }
        }
    }

    private static Path config(LocalStack stack, Path dir, String name, String prefix) throws Exception {
        Path config = dir.resolve(name + ".properties");
        Files.writeString(config, String.join("\n",
                "bootstrap.servers=" + stack.bootstrapServers(),
                "schema.registry.url=" + stack.schemaRegistryUrl(),
                "application.id=" + name,
                "topics.prefix=" + prefix,
                "replication.factor=1",
                "engagers.salt=crash-it-salt-0123456789",
                "state.dir=" + dir.resolve(name + "-state"),
                "http.enabled=false",
                "influence.halflife=off",
                "context.halflife=off",
                "segments.seed=false",
                "contact.quiet.hours=00:00-02:00",
                "commit.interval.ms=200",
                "metrics.flush.interval=1s") + "\n");
        return config;
    }

    /** The applications this test started: any still running when it ends (a failure) is killed then. */
    private final List<ChildJvm> started = new ArrayList<>();

    private ChildJvm start(Path config, Path log) throws Exception {
        ChildJvm app = ChildJvm.of(Main.class.getName(), "run", "--config", config.toString()).heap("512m").appendLogTo(log).start();
        started.add(app);
        return app;
    }

    @AfterEach
    void killWhatIsLeft() throws InterruptedException {
        for (ChildJvm app : started) {
            if (app.alive()) {
                app.kill();
            }
        }
    }

    /** Records of {@code topic} the application's group has committed, and how many there are. */
    private static Progress.Position progress(Admin admin, String group, String topic) {
        return new Progress(admin, group).position(List.of(topic));
    }

    /**
     * Waits until the application has taken in the definitions and consents: every customer has a
     * profile and an entry in the account directory.
     */
    private static void awaitSetup(LocalStack stack, String group, Topics topics) throws Exception {
        try (Admin admin = stack.admin()) {
            await("the definitions and consents taken in").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        Progress.Position d = progress(admin, group, topics.segmentDefinitions.name());
                        Progress.Position c = progress(admin, group, topics.consents.name());
                        return d.end() > 0 && d.atEnd() && c.atEnd()
                                && TopicRecords.readAll(stack.bootstrapServers(), topics.customerProfiles.name()).size() >= CUSTOMERS
                                && TopicRecords.readAll(stack.bootstrapServers(), topics.accountDirectory.name()).size() >= CUSTOMERS;
                    });
        }
        // The directory is read by every instance's global thread, and the definitions by each task of the
        // customer stage, as they come: neither says when it has read them. Activity that overtook them would
        // take another (equally correct) path and change the order of events at a customer, so the clean and
        // the killed run would differ for a reason that is not the crash. A pause covers that reading.
        Thread.sleep(2000);
    }

    /**
     * Runs until the input is consumed, segment-changes stopped growing for 4 s and every activity is
     * counted in {@code social-metrics}, then stops (SIGTERM).
     */
    private static void runToTheEnd(LocalStack stack, ChildJvm app, String group, Topics topics) throws Exception {
        try (Admin admin = stack.admin()) {
            AtomicLong lastChanges = new AtomicLong(-1);
            AtomicLong seen = new AtomicLong();
            try {
                await("the input consumed, the segment changes settled and the activities counted").atMost(Duration.ofMinutes(4))
                        .pollInterval(Duration.ofMillis(500)).during(Duration.ofSeconds(4)).until(() -> {
                            assertTrue(app.alive(), "the application is running: " + app.output());
                            boolean consumed = progress(admin, group, topics.socialActivity.name()).atEnd();
                            long changes = TopicRecords.readAll(stack.bootstrapServers(), topics.segmentChanges.name()).size();
                            seen.set(metrics(stack, topics).values().stream().mapToLong(ActivityMetrics::getActivitiesSeen).sum());
                            return consumed && seen.get() >= POSTS && changes == lastChanges.getAndSet(changes);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("not settled in 4 minutes: " + seen + " of " + POSTS + " activities counted in social-metrics, "
                        + lastChanges + " segment changes", e);
            }
        }
        assertEquals(143, app.stop(Duration.ofSeconds(60)), "stopped by SIGTERM");
    }

    private static List<String> changes(LocalStack stack, Topics topics) {
        var deserializer = Topics.valueSerde(topics.segmentChanges, SchemaRegistryConfig.of(stack.schemaRegistryUrl())).deserializer();
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.segmentChanges.name())) {
            SegmentChange c = deserializer.deserialize(r.topic(), r.value());
            out.add(c.getCustomerId() + " " + c.getSegmentId() + " " + c.getChange() + " " + c.getAt() + " " + c.getReason());
        }
        out.sort(null);
        return out;
    }

    /** The latest totals of each window of {@code social-metrics} (platform and hour). */
    private static Map<String, ActivityMetrics> metrics(LocalStack stack, Topics topics) {
        var deserializer = Topics.valueSerde(topics.socialMetrics, SchemaRegistryConfig.of(stack.schemaRegistryUrl())).deserializer();
        Map<String, ActivityMetrics> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.socialMetrics.name())) {
            ActivityMetrics m = deserializer.deserialize(r.topic(), r.value());
            latest.put(m.getPlatform() + " " + m.getWindowStart(), m); // a window's records are in one partition, in order
        }
        return latest;
    }

    /**
     * The contact opportunities written, one line each, without the stream time each was written at:
     * a task's stream time is the newest of its input, which comes from four upstream tasks in no set
     * order (one may run hours of event time ahead of another), so it differs from run to run, and an
     * opportunity whose customer's records come that late is written at once, as DUE or, once stream
     * time is past its whole hour, as CANCELLED (EXPIRED). Checked for each: never before its moment,
     * DUE only before it expires.
     */
    private static List<String> contacts(LocalStack stack, Topics topics) {
        var deserializer = Topics.valueSerde(topics.contactOpportunities, SchemaRegistryConfig.of(stack.schemaRegistryUrl()))
                .deserializer();
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(stack.bootstrapServers(), topics.contactOpportunities.name())) {
            ContactOpportunity o = deserializer.deserialize(r.topic(), r.value());
            assertTrue(!o.getAt().isBefore(o.getContactAt()), "never written before its moment: " + o);
            boolean expired = !o.getAt().isBefore(o.getExpiresAt());
            assertEquals(expired ? "CANCELLED EXPIRED" : "DUE null", o.getStatus() + " " + o.getCancelReason(), o.toString());
            out.add(o.getOpportunityId() + " " + o.getContactAt() + " " + o.getExpiresAt() + " " + o.getConfidence() + " " + o.getReason());
        }
        out.sort(null);
        return out;
    }

    @Test
    void killedMidStreamAndRestartedItWritesExactlyTheChangesOfACleanRun(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Topics clean = Topics.withPrefix("crash-clean.");
        Topics crashed = Topics.withPrefix("crash-killed.");
        try (Admin admin = stack.admin()) {
            new TopicAdmin(admin, clean).createMissing(4, (short) 1);
            new TopicAdmin(admin, crashed).createMissing(4, (short) 1);
        }
        produceSetup(stack, clean);
        produceSetup(stack, crashed);

        Path log = dir.resolve("apps.log");
        ChildJvm first = start(config(stack, dir, "crash-clean", clean.prefix()), log);
        awaitSetup(stack, "crash-clean", clean);
        produceActivities(stack, clean);
        runToTheEnd(stack, first, "crash-clean", clean);
        List<String> expected = changes(stack, clean);
        assertTrue(expected.size() > CUSTOMERS, "the rules fire: " + expected.size() + " changes");
        List<String> expectedContacts = contacts(stack, clean);
        assertEquals(CUSTOMERS, expectedContacts.size(), "one opportunity a customer: " + expectedContacts.subList(0, 3));
        assertTrue(expectedContacts.stream().allMatch(c -> c.contains(" " + CONTACT_AT + " ")), expectedContacts.get(0));
        Map<String, ActivityMetrics> expectedMetrics = metrics(stack, clean);
        assertEquals(POSTS, expectedMetrics.values().stream().mapToLong(ActivityMetrics::getActivitiesAccepted).sum(),
                "every activity counted once: " + expectedMetrics.values());
        assertEquals(CUSTOMERS, expectedMetrics.values().stream().mapToLong(ActivityMetrics::getConsentsGranted).sum());

        Path config = config(stack, dir, "crash-killed", crashed.prefix());
        ChildJvm app = start(config, log);
        awaitSetup(stack, "crash-killed", crashed);
        // fed at about 2,000 activities a second (4.5 s in all), killed once 40 % of them are processed:
        // still being fed, mid-transaction
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> produceActivities(stack, crashed, 50));
        try (Admin admin = stack.admin()) {
            Progress.Position p = await("40 % of the input processed").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> progress(admin, "crash-killed", crashed.socialActivity.name()), q -> q.committed() >= POSTS * 0.4);
            assertTrue(p.committed() < POSTS, "killed before the end of the input: " + p);
        }
        assertEquals(137, app.kill(), "killed by SIGKILL: no shutdown hook, no commit, no checkpoint");
        feeding.get(2, TimeUnit.MINUTES);
        int seenBeforeRestart = changes(stack, crashed).size();
        assertTrue(seenBeforeRestart < expected.size(), "the crash came before all changes were written");
        assertEquals(List.of(), contacts(stack, crashed), "the crash came before the opportunities were due");

        runToTheEnd(stack, start(config, log), "crash-killed", crashed);
        List<String> actual = changes(stack, crashed);
        List<String> lost = new ArrayList<>(expected);
        actual.forEach(lost::remove);
        List<String> extra = new ArrayList<>(actual);
        expected.forEach(extra::remove);
        assertEquals(expected.size(), actual.size(), "as many segment changes as the clean run (none lost, none twice); lost "
                + lost.subList(0, Math.min(10, lost.size())) + " extra " + extra.subList(0, Math.min(10, extra.size())));
        assertEquals(expected, actual, "the same changes, timestamps and reasons included");
        assertEquals(expectedContacts, contacts(stack, crashed), "the same opportunities, each once, for the same moment");
        assertEquals(expectedMetrics.toString(), metrics(stack, crashed).toString(),
                "the same counts in every window: none lost with the buffers the kill found, none counted twice");
    }
}
