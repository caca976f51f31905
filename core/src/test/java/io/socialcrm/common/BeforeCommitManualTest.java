package io.socialcrm.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * Outside Kafka Streams a hook either does its work at once (no hook: the caller writes through) or,
 * with a {@link BeforeCommit.Manual} in the context's configuration (the in-process benchmarks), when
 * told to commit: once however often it was marked, and again for what the work itself marked.
 */
class BeforeCommitManualTest {
    private static MockProcessorContext<String, String> context(BeforeCommit.Manual manual) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "manual-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        if (manual != null) {
            props.put(BeforeCommit.MANUAL_CONFIG, manual);
        }
        return new MockProcessorContext<>(props);
    }

    @Test
    void withoutAManualCommitThereIsNoHookAndTheCallerWritesThrough() {
        assertNull(BeforeCommit.bind(context(null), "marks", () -> { }, true));
    }

    @Test
    void theWorkWaitsForTheCommitAndRunsOnceHoweverOftenItWasMarked() {
        BeforeCommit.Manual manual = new BeforeCommit.Manual();
        MockProcessorContext<String, String> context = context(manual);
        List<String> done = new ArrayList<>();
        BeforeCommit[] outbox = new BeforeCommit[1];
        BeforeCommit states = BeforeCommit.bind(context, "states-marks", () -> {
            done.add("states");
            outbox[0].mark(); // a refresh fills the outbox: it is sent in the same commit
        }, true);
        outbox[0] = BeforeCommit.bind(context, "outbox-marks", () -> done.add("outbox"));
        states.mark();
        states.mark();
        assertEquals(List.of(), done, "nothing before the commit");
        manual.commit();
        assertEquals(List.of("states", "outbox"), done);
        manual.commit();
        assertEquals(List.of("states", "outbox"), done, "nothing marked since: nothing done");
    }
}
