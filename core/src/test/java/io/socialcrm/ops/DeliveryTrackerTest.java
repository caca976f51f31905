package io.socialcrm.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

/** The tracker on a clock the test moves: what is judged is the rule, not the machine's speed. */
class DeliveryTrackerTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aWriterWithRecordsInFlightAndNoAcknowledgementForTheLimitIsStalledAndSaysWhere() {
        DeliveryTracker tracker = new DeliveryTracker(Duration.ofMillis(50), now::get);
        ClientWarnings.record("org.apache.kafka.clients.producer.internals.Sender",
                "Got error produce response on topic-partition consents-2, retrying. Error: OUT_OF_ORDER_SEQUENCE_NUMBER");
        // the broker's refusals come after, one per partition: they must not crowd out the client's error code
        for (int p = 0; p < 5; p++) {
            ClientWarnings.record("kafka.server.ReplicaManager", "[ReplicaManager broker=1] Error processing append operation on partition "
                    + "x:consents-" + p);
        }
        tracker.track("consents");
        tracker.track("consents");
        tracker.track("social-activity").onCompletion(null, null);
        advance(Duration.ofMillis(50));
        assertDoesNotThrow(tracker::check, "not stalled at the limit");
        advance(Duration.ofMillis(1));
        DeliveryTracker.StalledException stall = assertThrows(DeliveryTracker.StalledException.class, tracker::awaitCompleted);
        assertTrue(stall.getMessage().contains("while 2 wait (consents: 2)"), stall.getMessage());
        assertTrue(stall.getMessage().contains("consents-2"), stall.getMessage());
        assertTrue(stall.getMessage().contains("OUT_OF_ORDER_SEQUENCE_NUMBER"), stall.getMessage());
    }

    @Test
    void aWriterWithNothingInFlightIsNeverStalledAndItsClockStartsWithTheNextSend() {
        DeliveryTracker tracker = new DeliveryTracker(Duration.ofMillis(50), now::get);
        tracker.track("t").onCompletion(null, null);
        advance(Duration.ofMillis(80));
        assertDoesNotThrow(tracker::check);
        Callback next = tracker.track("t");
        assertDoesNotThrow(tracker::check, "a record sent after a quiet spell is not late at once");
        advance(Duration.ofMillis(40));
        assertDoesNotThrow(tracker::check, "its clock started with it");
        next.onCompletion(null, null);
        assertDoesNotThrow(tracker::awaitCompleted);
        assertEquals(0, tracker.pending());
    }

    @Test
    void aFailedRecordIsCountedAndReportedNotLostQuietly() {
        DeliveryTracker tracker = new DeliveryTracker(Duration.ofSeconds(5), now::get);
        tracker.track("t").onCompletion(null, new OutOfOrderSequenceException("dropped"));
        tracker.track("t").onCompletion(null, null);
        tracker.awaitCompleted();
        assertEquals(1, tracker.failed());
        IllegalStateException e = assertThrows(IllegalStateException.class, tracker::throwIfFailed);
        assertTrue(e.getMessage().startsWith("1 record(s) could not be written to Kafka"), e.getMessage());
    }
}
