package io.socialcrm.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class ClientWarningsTest {
    private static final String RETRY = "[Producer clientId=p-1] Got error produce response with correlation id {} on "
            + "topic-partition {}, retrying ({} attempts left). Error: {}";

    private final LoggerContext context = new LoggerContext();
    private final Logger sender = context.getLogger("org.apache.kafka.clients.producer.internals.Sender");
    private final Logger other = context.getLogger("org.apache.kafka.streams.Other");

    private ClientWarnings filter() {
        ClientWarnings filter = new ClientWarnings();
        filter.addLogger("org.apache.kafka.clients.producer.internals.Sender");
        filter.setIntervalMillis(60_000);
        return filter;
    }

    private static Object[] retry(int correlation, String partition, int attemptsLeft, String error) {
        return new Object[] {correlation, partition, attemptsLeft, error};
    }

    @Test
    void eachDistinctWarningIsShownOncePerIntervalNeverSilencedEvenAboveTheLoggersLevel() {
        ClientWarnings filter = filter();
        sender.setLevel(Level.ERROR);
        assertEquals(FilterReply.ACCEPT, filter.decide(null, sender, Level.WARN, RETRY,
                retry(11, "segment-definitions-2", 2147483646, "OUT_OF_ORDER_SEQUENCE_NUMBER"), null));
        // the same warning with other correlation ids and attempt counts is held back
        for (int i = 0; i < 100; i++) {
            assertEquals(FilterReply.DENY, filter.decide(null, sender, Level.WARN, RETRY,
                    retry(12 + i, "segment-definitions-2", 2147483645 - i, "OUT_OF_ORDER_SEQUENCE_NUMBER"), null));
        }
        // another partition or another error is news
        assertEquals(FilterReply.ACCEPT, filter.decide(null, sender, Level.WARN, RETRY,
                retry(200, "segment-definitions-3", 5, "OUT_OF_ORDER_SEQUENCE_NUMBER"), null));
        assertEquals(FilterReply.ACCEPT, filter.decide(null, sender, Level.WARN, RETRY,
                retry(201, "segment-definitions-2", 5, "NOT_LEADER_OR_FOLLOWER"), null));
    }

    @Test
    void otherLoggersAndLowerLevelsAreLeftToTheConfiguration() {
        ClientWarnings filter = filter();
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, other, Level.WARN, "anything {}", new Object[] {1}, null));
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, sender, Level.DEBUG, RETRY,
                retry(1, "t-0", 1, "NONE"), null));
    }

    @Test
    void theLatestWarningsAreKeptForAStallReport() {
        long before = System.currentTimeMillis();
        ClientWarnings filter = filter();
        filter.decide(null, sender, Level.WARN, RETRY, retry(1, "consents-1", 9, "OUT_OF_ORDER_SEQUENCE_NUMBER"), null);
        filter.decide(null, sender, Level.WARN, RETRY, retry(2, "consents-1", 8, "OUT_OF_ORDER_SEQUENCE_NUMBER"), null);
        ClientWarnings.Recent latest = ClientWarnings.recent(before).get(0);
        assertTrue(latest.message().contains("topic-partition consents-1"), latest.message());
        assertTrue(latest.message().contains("(8 attempts left)"), "the newest text: " + latest.message());
        assertTrue(latest.count() >= 2, "counts repeats: " + latest.count());
    }
}
