package io.socialcrm.errors;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.contract.Topics;
import io.socialcrm.testing.TopologyFixture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Rule 8: bad input goes to dead-letters with the reason; good input around it is processed. */
class DeadLetterTopologyTest {

    private static byte[] bytes(TopologyFixture f, SocialActivity activity) {
        return Topics.valueSerde(f.topics.socialActivity, f.registry()).serializer().serialize(f.topics.socialActivity.name(), activity);
    }

    /**
     * The test driver collects what was produced only after it processed a record or punctuated;
     * a record that fails deserialization is never processed, so its dead letter waits for that.
     */
    private static void pipeUnreadable(TopologyFixture f, byte[] value) {
        f.rawActivity.pipeInput("twitter:1", value, T0);
        f.advanceWallClock(java.time.Duration.ofMillis(1));
    }

    private static TestRecord<byte[], byte[]> onlyDeadLetter(TopologyFixture f) {
        List<TestRecord<byte[], byte[]>> dead = f.deadLetters.readRecordsToList();
        assertEquals(1, dead.size(), "one dead letter");
        return dead.get(0);
    }

    private static void assertReason(TestRecord<byte[], byte[]> dead, String exception, String message, String topic) {
        String cls = DeadLetters.header(dead.headers(), DeadLetters.HEADER_EXCEPTION);
        String msg = DeadLetters.header(dead.headers(), DeadLetters.HEADER_MESSAGE);
        assertTrue(cls.endsWith(exception), cls);
        assertTrue(msg.contains(message), msg);
        assertEquals(topic, DeadLetters.header(dead.headers(), DeadLetters.HEADER_TOPIC));
        assertEquals("0", DeadLetters.header(dead.headers(), DeadLetters.HEADER_PARTITION));
        assertTrue(Long.parseLong(DeadLetters.header(dead.headers(), DeadLetters.HEADER_OFFSET)) >= 0);
    }

    /**
     * At-least-once here only: under exactly-once the test driver clears its mock producer's open
     * transaction after each step, which loses a dead letter sent while no record is processed (a
     * driver artifact). The exactly-once path is shown on the real broker (HostileInputIT).
     */
    @Test
    void unreadableBytesAreDeadLetteredWithTheirOriginalBytes() {
        try (TopologyFixture f = new TopologyFixture(java.util.Map.of("processing.guarantee", "at_least_once"))) {
            f.grant("alice", "twitter", "1", T0);
            byte[] good = bytes(f, TopologyFixture.act("twitter", "1", ActivityType.POST, T0.plusSeconds(1)).setText("hi").build());

            byte[] wrongMagic = good.clone();
            wrongMagic[0] = 7;
            pipeUnreadable(f, wrongMagic);
            TestRecord<byte[], byte[]> dead = onlyDeadLetter(f);
            assertReason(dead, "UnknownMagicByteException", "magic byte 0x07", "social-activity");
            assertArrayEquals(wrongMagic, dead.value());
            assertArrayEquals("twitter:1".getBytes(StandardCharsets.UTF_8), dead.key());
            assertEquals("deserialization", DeadLetters.header(dead.headers(), DeadLetters.HEADER_STAGE));

            pipeUnreadable(f, Arrays.copyOf(good, good.length - 4));
            assertReason(onlyDeadLetter(f), "TruncatedPayloadException", "ends early", "social-activity");

            byte[] unknownId = good.clone();
            ByteBuffer.wrap(unknownId).putInt(1, 424242);
            pipeUnreadable(f, unknownId);
            assertReason(onlyDeadLetter(f), "UnknownSchemaIdException", "424242", "social-activity");

            pipeUnreadable(f, new byte[] {0, 0});
            assertReason(onlyDeadLetter(f), "TruncatedPayloadException", "5-byte header", "social-activity");

            f.rawActivity.pipeInput("twitter:1", good, T0.plusSeconds(1));
            assertTrue(f.deadLetters.isEmpty());
            assertEquals(1.0, TopologyFixture.latest(f.customerProfiles).get("alice").getActivityLevel(), 1e-6,
                    "the good record after the bad ones is processed");
        }
    }

    @Test
    void activityThatBreaksTheContractIsDeadLetteredWithItsReason() {
        try (TopologyFixture f = new TopologyFixture()) {
            Instant t = T0.plusSeconds(10);
            List<Object[]> cases = List.of(
                    new Object[] {"twitter:1", TopologyFixture.act("myspace", "1", ActivityType.POST, t).build(),
                            "platform 'myspace' is not one of the configured platforms"},
                    new Object[] {"twitter:2", TopologyFixture.act("twitter", "1", ActivityType.POST, t).build(), "key is not the account key"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.POST, t).setEventId("").build(), "eventId is missing"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.REPLY, t).build(), "REPLY without targetUserId"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.UNKNOWN, t).build(), "activity type is UNKNOWN"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.POST, Instant.ofEpochMilli(-5000)).build(), "before 1970"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.POST, t.plusSeconds(86_400 * 365)).build(),
                            "after the record's timestamp"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.POST, t).setText("x".repeat(70_000)).build(),
                            "text is longer than 65536"},
                    new Object[] {"twitter:1", TopologyFixture.act("twitter", "1", ActivityType.POST, t).setActorId("").build(), "actorId is missing"});
            for (Object[] c : cases) {
                f.activity.pipeInput((String) c[0], (SocialActivity) c[1], t);
                TestRecord<byte[], byte[]> dead = onlyDeadLetter(f);
                assertReason(dead, "InvalidRecordException", (String) c[2], "social-activity");
                assertEquals("processing", DeadLetters.header(dead.headers(), DeadLetters.HEADER_STAGE));
                assertArrayEquals(bytes(f, (SocialActivity) c[1]), dead.value(), "original bytes kept");
            }
        }
    }

    @Test
    void badConsentsProfilesDefinitionsAndRequestsAreDeadLettered() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.consents.pipeInput("friendster:1", TopologyFixture.consent("alice", "friendster", "1", T0, ConsentStatus.GRANTED,
                    ConsentScope.ACTIVITY), T0);
            assertReason(onlyDeadLetter(f), "InvalidRecordException", "platform 'friendster'", "consents");
            f.consents.pipeInput("twitter:1", TopologyFixture.consent("", "twitter", "1", T0, ConsentStatus.GRANTED,
                    ConsentScope.ACTIVITY), T0);
            assertReason(onlyDeadLetter(f), "InvalidRecordException", "customerId is missing", "consents");
            f.merges.pipeInput("c1", CustomerMerge.newBuilder().setSurvivorId("c1").setMergedId("c1").build(), T0);
            assertReason(onlyDeadLetter(f), "InvalidRecordException", "into itself", "customer-merges");
            f.define("Bad Id", "true", null, 1);
            assertReason(onlyDeadLetter(f), "InvalidRecordException", "segment id 'Bad Id' is invalid", "segment-definitions");
            f.define("not-bool", "influence.score + 1", null, 1);
            assertReason(onlyDeadLetter(f), "InvalidRecordException", "does not compile", "segment-definitions");
        }
    }
}
