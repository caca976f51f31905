package io.socialcrm.topology;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.BatchedEvent;
import io.socialcrm.avro.internal.CreditBatch;
import io.socialcrm.avro.internal.CreditKind;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.EventBatch;
import io.socialcrm.common.Names;
import io.socialcrm.config.AppConfig;
import io.socialcrm.errors.DeadLetterHandlers;
import io.socialcrm.errors.DeadLetters;
import io.socialcrm.errors.FailedInBatch;
import io.socialcrm.errors.InvalidRecordException;
import io.socialcrm.serde.InternalSerde;
import io.socialcrm.testing.TopologyFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The two batched hops in the production topology: credits to accounts the directory does not name
 * ({@code account-commands}; by default those of records older than {@code commit.live.lag}) and
 * everything for the customer stage ({@code customer-events}) travel
 * as one record per target partition and commit, and the stage behind each takes every event of a
 * batch as it took them one by one.
 */
class BatchedHopsTopologyTest {

    private static List<TestRecord<byte[], byte[]>> written(TopologyFixture f, String name) {
        return f.driver.createOutputTopic(Names.repartitionTopic(f.settings.applicationId(), name), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).readRecordsToList();
    }


    @Test
    void oneActivityMentioningFiveCustomersReachesThemAllInOneRecord() {
        try (TopologyFixture f = new TopologyFixture()) {
            for (int i = 1; i <= 5; i++) {
                f.grant("customer-" + i, "twitter", Integer.toString(i), T0);
            }
            written(f, Names.CUSTOMER_EVENTS);
            f.mention("9", T0.plusSeconds(10), "1", "2", "3", "4", "5");

            List<TestRecord<byte[], byte[]>> hop = written(f, Names.CUSTOMER_EVENTS);
            assertEquals(1, hop.size(), "the five credits of one commit share one partition here: one record");
            CustomerEvent batch = InternalSerde.of(CustomerEvent.class).deserialize("t", hop.get(0).value());
            List<BatchedEvent> events = ((EventBatch) batch.getEvent()).getEvents();
            assertEquals(List.of("customer-1", "customer-2", "customer-3", "customer-4", "customer-5"),
                    events.stream().map(e -> e.getCustomerId().toString()).toList());
            assertEquals("customer-1", new String(hop.get(0).key(), StandardCharsets.UTF_8), "keyed by its first event's customer");
            Map<String, CustomerProfile> profiles = TopologyFixture.latest(f.customerProfiles);
            for (int i = 1; i <= 5; i++) {
                assertEquals(1.0, profiles.get("customer-" + i).getInfluence().getMentionsReceived(), 1e-9,
                        "customer-" + i + " credited from the batch");
            }
        }
    }

    @Test
    void byDefaultLiveCreditsToAccountsWithoutADirectoryEntryGoOneByOneAndABackfillsInBatches() {
        // the driver's wall clock stands at T0: T0 + 10 s is live, a day before is history
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0.minus(Duration.ofDays(3)));
            written(f, Names.ACCOUNT_COMMANDS);
            f.mention("9", T0.minus(Duration.ofDays(1)), "11", "12", "13", "14");
            List<TestRecord<byte[], byte[]>> hop = written(f, Names.ACCOUNT_COMMANDS);
            assertEquals(1, hop.size(), "history: one record for the commit");
            AccountCommand command = InternalSerde.of(AccountCommand.class).deserialize("t", hop.get(0).value());
            assertEquals(4, ((CreditBatch) command.getCommand()).getCredits().size());

            f.mention("9", T0.plusSeconds(10), "11", "12", "13", "14");
            assertEquals(4, written(f, Names.ACCOUNT_COMMANDS).size(), "live: a record each, nothing waits for the commit");
        }
    }

    @Test
    void withCreditsBatchedFalseEvenABackfillsCreditsGoOneByOne() {
        try (TopologyFixture f = new TopologyFixture(Map.of(AppConfig.CREDITS_BATCHED.name(), "false"))) {
            f.grant("alice", "twitter", "1", T0.minus(Duration.ofDays(3)));
            written(f, Names.ACCOUNT_COMMANDS);
            f.mention("9", T0.minus(Duration.ofDays(1)), "11", "12", "13", "14");
            assertEquals(4, written(f, Names.ACCOUNT_COMMANDS).size());
        }
    }

    @Test
    void withCreditsBatchedCreditsToAccountsWithoutConsentGoAsOneRecordAndKeepNothing() {
        try (TopologyFixture f = new TopologyFixture(Map.of(AppConfig.CREDITS_BATCHED.name(), "true"))) {
            f.grant("alice", "twitter", "1", T0);
            written(f, Names.ACCOUNT_COMMANDS);
            f.mention("9", T0.plusSeconds(10), "11", "12", "13", "14");

            List<TestRecord<byte[], byte[]>> hop = written(f, Names.ACCOUNT_COMMANDS);
            assertEquals(1, hop.size());
            AccountCommand command = InternalSerde.of(AccountCommand.class).deserialize("t", hop.get(0).value());
            assertEquals(List.of("twitter:11", "twitter:12", "twitter:13", "twitter:14"), ((CreditBatch) command.getCommand())
                    .getCredits().stream().map(c -> c.getAccountKey().toString()).toList());
            try (var all = f.customerState().all()) {
                assertEquals("alice", all.next().key);
                assertFalse(all.hasNext(), "nothing kept for the unconsented targets");
            }
            assertTrue(f.deadLetters.readRecordsToList().isEmpty());
        }
    }

    @Test
    void aBatchPipedInIsTakenAsItsEventsOneByOne() {
        try (TopologyFixture one = new TopologyFixture(); TopologyFixture batched = new TopologyFixture()) {
            for (TopologyFixture f : List.of(one, batched)) {
                f.grant("alice", "twitter", "1", T0);
                f.grant("bob", "twitter", "2", T0);
            }
            List<BatchedEvent> events = List.of(
                    new BatchedEvent("alice", T0.plusSeconds(10).toEpochMilli(),
                            new CustomerEvent(new CreditReceived("twitter:1", CreditKind.MENTION, T0.plusSeconds(10).toEpochMilli(), 7L))),
                    new BatchedEvent("bob", T0.plusSeconds(11).toEpochMilli(),
                            new CustomerEvent(new CreditReceived("twitter:2", CreditKind.SHARE, T0.plusSeconds(11).toEpochMilli(), 7L))),
                    new BatchedEvent("alice", T0.plusSeconds(12).toEpochMilli(),
                            new CustomerEvent(new CreditReceived("twitter:1", CreditKind.REPLY, T0.plusSeconds(12).toEpochMilli(), 8L))));
            var serde = InternalSerde.of(CustomerEvent.class);
            String topic = Names.repartitionTopic(one.settings.applicationId(), Names.CUSTOMER_EVENTS);
            var oneByOne = one.driver.createInputTopic(topic, io.socialcrm.contract.Topics.keySerde().serializer(), serde.serializer());
            for (BatchedEvent e : events) {
                oneByOne.pipeInput(e.getCustomerId().toString(), e.getEvent(), e.getTimestamp());
            }
            batched.driver.createInputTopic(topic, io.socialcrm.contract.Topics.keySerde().serializer(), serde.serializer())
                    .pipeInput("alice", new CustomerEvent(new EventBatch(events)), T0.plusSeconds(12).toEpochMilli());

            Map<String, CustomerProfile> expected = TopologyFixture.latest(one.customerProfiles);
            Map<String, CustomerProfile> actual = TopologyFixture.latest(batched.customerProfiles);
            assertEquals(expected.keySet(), actual.keySet());
            for (String customer : List.of("alice", "bob")) {
                assertEquals(expected.get(customer).getInfluence(), actual.get(customer).getInfluence(), customer);
            }
            assertEquals(2.0, actual.get("alice").getInfluence().getMentionsReceived() + actual.get("alice").getInfluence().getRepliesReceived(),
                    1e-6);
        }
    }

    @Test
    void theHandlerDeadLettersOnlyTheFailedEventsOfABatch() {
        DeadLetterHandlers.Processing handler = new DeadLetterHandlers.Processing();
        handler.configure(Map.of(DeadLetters.TOPIC_CONFIG, "dead-letters"));
        byte[] failedBatch = "the failed events".getBytes(StandardCharsets.UTF_8);
        FailedInBatch failure = new FailedInBatch(1, 3, failedBatch, new InvalidRecordException("unknown customer event"));

        var response = handler.handleError(context("the whole batch".getBytes(StandardCharsets.UTF_8)), new Record<>("alice", "v", 0L), failure);

        List<ProducerRecord<byte[], byte[]>> dead = response.deadLetterQueueRecords();
        assertEquals(1, dead.size());
        assertArrayEquals(failedBatch, dead.get(0).value(), "not the source record: the events already processed stay out");
        assertArrayEquals("alice".getBytes(StandardCharsets.UTF_8), dead.get(0).key(), "under the batch record's key");
        Headers headers = dead.get(0).headers();
        assertTrue(DeadLetters.header(headers, DeadLetters.HEADER_EXCEPTION).endsWith("InvalidRecordException"),
                "the reason is the failed event's");
        assertEquals("unknown customer event", DeadLetters.header(headers, DeadLetters.HEADER_MESSAGE));
    }

    private static ErrorHandlerContext context(byte[] sourceValue) {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "socialcrm-customer-events-repartition";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 42;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "customer-processor";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(3, 0);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return "alice".getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] sourceRawValue() {
                return sourceValue;
            }
        };
    }
}
