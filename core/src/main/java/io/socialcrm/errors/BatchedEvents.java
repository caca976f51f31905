package io.socialcrm.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.errors.internals.FailedProcessingException;

/**
 * How a stage takes a batch record's events (written by topology/PartitionBatches): one by one, so
 * that one failed event dead-letters itself and not the others.
 */
public final class BatchedEvents {
    private BatchedEvents() {
    }

    /**
     * Processes every event of a batch in order. An event that fails does not stop the others: the
     * failed ones are then thrown together as one {@link FailedInBatch}, which dead-letters them (and
     * only them) as one batch record. Kafka Streams' own signals (a task migrated or corrupted, a
     * downstream processor told to fail) go through at once, as from any processor.
     *
     * @param asRecord the serialized batch record of the given events (for dead-letters; called only
     *                 when an event failed, so a batch that succeeds costs nothing more)
     */
    public static <T> void forEach(List<T> events, Consumer<T> process, Function<List<T>, byte[]> asRecord) {
        List<T> failed = null;
        RuntimeException first = null;
        for (T event : events) {
            try {
                process.accept(event);
            } catch (FailedProcessingException | TaskCorruptedException | TaskMigratedException e) {
                throw e;
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = new ArrayList<>();
                    first = e;
                }
                failed.add(event);
            }
        }
        if (failed != null) {
            throw new FailedInBatch(failed.size(), events.size(), asRecord.apply(failed), first);
        }
    }
}
