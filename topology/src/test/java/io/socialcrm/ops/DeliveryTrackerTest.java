package io.socialcrm.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class DeliveryTrackerTest {
    @Test
    void aWriterWithRecordsInFlightAndNoAcknowledgementForTheLimitIsStalledAndSaysWhere() throws Exception {
        DeliveryTracker tracker = new DeliveryTracker(Duration.ofMillis(50));
        ClientWarnings.record("org.apache.kafka.clients.producer.internals.Sender",
                "Got error produce response on topic-partition consents-2, retrying. Error: OUT_OF_ORDER_SEQUENCE_NUMBER");
        tracker.track("consents");
        tracker.track("consents");
        tracker.track("social-activity").onCompletion(null, null);
        assertDoesNotThrow(tracker::check, "not stalled before the limit");
        Thread.sleep(80);
        DeliveryTracker.StalledException stall = assertThrows(DeliveryTracker.StalledException.class, tracker::awaitCompleted);
        assertTrue(stall.getMessage().contains("while 2 wait (consents: 2)"), stall.getMessage());
        assertTrue(stall.getMessage().contains("consents-2"), stall.getMessage());
        assertTrue(stall.getMessage().contains("OUT_OF_ORDER_SEQUENCE_NUMBER"), stall.getMessage());
    }

    @Test
    void aWriterWithNothingInFlightIsNeverStalledAndItsClockStartsWithTheNextSend() throws Exception {
        DeliveryTracker tracker = new DeliveryTracker(Duration.ofMillis(50));
        tracker.track("t").onCompletion(null, null);
        Thread.sleep(80);
        assertDoesNotThrow(tracker::check);
        Callback next = tracker.track("t");
        assertDoesNotThrow(tracker::check, "a record sent after a quiet spell is not late at once");
        next.onCompletion(null, null);
        assertDoesNotThrow(tracker::awaitCompleted);
        assertEquals(0, tracker.pending());
    }

    @Test
    void aFailedRecordIsCountedAndReportedNotLostQuietly() {
        DeliveryTracker tracker = new DeliveryTracker(Duration.ofSeconds(5));
        tracker.track("t").onCompletion(null, new OutOfOrderSequenceException("dropped"));
        tracker.track("t").onCompletion(null, null);
        tracker.awaitCompleted();
        assertEquals(1, tracker.failed());
        IllegalStateException e = assertThrows(IllegalStateException.class, tracker::throwIfFailed);
        assertTrue(e.getMessage().startsWith("1 record(s) could not be written to Kafka"), e.getMessage());
    }
}
