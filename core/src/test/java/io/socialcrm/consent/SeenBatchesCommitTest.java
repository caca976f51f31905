package io.socialcrm.consent;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.common.Names;
import io.socialcrm.testing.TopologyFixture;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication batches reach their changelog in the commit of the activities they hold: the
 * open batch is written once before each commit (the test driver commits after every record), whole,
 * and a full batch when it is sealed.
 */
class SeenBatchesCommitTest {

    @Test
    void eachCommitWritesTheOpenBatchWithEveryHashItHolds() {
        try (TopologyFixture f = new TopologyFixture()) {
            TestOutputTopic<Long, byte[]> changelog = f.driver.createOutputTopic("socialcrm-" + Names.SEEN_BATCHES + "-changelog",
                    Serdes.Long().deserializer(), Serdes.ByteArray().deserializer());
            for (int i = 0; i < 3; i++) {
                f.engage("fan-" + i, ActivityType.LIKE, "1", T0.plusSeconds(i));
            }
            List<KeyValue<Long, byte[]>> written = changelog.readKeyValuesToList();
            assertEquals(3, written.size(), "one record a commit");
            for (int i = 0; i < 3; i++) {
                assertEquals(0L, written.get(i).key);
                assertEquals(8 + 12 * (i + 1), written.get(i).value.length, "the batch with the hash of the commit's activity");
            }

            for (int i = 3; i < SeenEvents.PER_BATCH + 1; i++) {
                f.engage("fan-" + i, ActivityType.LIKE, "1", T0.plusSeconds(i));
            }
            written = changelog.readKeyValuesToList();
            KeyValue<Long, byte[]> sealed = written.stream().filter(kv -> kv.key == 0L).reduce((a, b) -> b).orElseThrow();
            assertEquals(8 + 12 * SeenEvents.PER_BATCH, sealed.value.length, "the full batch");
            KeyValue<Long, byte[]> last = written.get(written.size() - 1);
            assertEquals(1L, last.key, "the next batch");
            assertEquals(8 + 12, last.value.length);
        }
    }
}
