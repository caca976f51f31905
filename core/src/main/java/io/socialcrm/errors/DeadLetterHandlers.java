package io.socialcrm.errors;

import io.socialcrm.common.AppCounters;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.serde.SchemaRegistryException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three error handlers of the application. Bad input goes to {@code dead-letters} (inside the
 * same transaction under exactly-once) and processing goes on. An outage is not bad input: a record
 * that cannot be read because the schema registry is unreachable fails the thread (the
 * uncaught-exception policy replaces it and the record is read again), so no good record is
 * dead-lettered by an outage.
 */
public final class DeadLetterHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);
    /** Streams config key carrying the instance's {@link AppCounters} (an object, not a string). */
    public static final String COUNTERS_CONFIG = "socialcrm.counters";

    private DeadLetterHandlers() {
    }

    /**
     * What every handler does with bad input: configured with the dead-letters topic and the
     * instance's counters, it logs where the record was (never its content), counts it, and sends it,
     * with the reason in its headers, to {@code dead-letters}.
     */
    private abstract static class DeadLettering {
        private String topic;
        private AppCounters counters;

        public void configure(Map<String, ?> configs) {
            Object configured = configs.get(DeadLetters.TOPIC_CONFIG);
            if (configured == null) {
                throw new IllegalStateException(DeadLetters.TOPIC_CONFIG + " must name the dead-letters topic");
            }
            topic = configured.toString();
            // absent when a handler is used on its own: it then counts for itself
            counters = configs.get(COUNTERS_CONFIG) instanceof AppCounters given ? given : new AppCounters();
        }

        List<ProducerRecord<byte[], byte[]>> deadLetter(String stage, ErrorHandlerContext context, byte[] key, byte[] value,
                                                        Exception error) {
            Throwable cause = DeadLetters.rootOf(error);
            LOG.warn("Dead-lettered a record of {}-{}@{} ({}): {}: {}", context.topic(), context.partition(), context.offset(),
                    stage, cause.getClass().getSimpleName(), cause.getMessage());
            counters.increment(Counter.DEAD_LETTERED);
            return List.of(DeadLetters.record(topic, key, value, context, error, stage));
        }
    }

    /** Records that cannot be read. */
    public static final class Deserialization extends DeadLettering implements DeserializationExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
            Throwable cause = DeadLetters.rootOf(exception);
            if (cause instanceof SchemaRegistryException registry && registry.isRetriable()) {
                LOG.error("Cannot read a record of {}-{}@{}: the schema registry is not available ({}); failing the "
                        + "thread so that the record is read again", context.topic(), context.partition(), context.offset(),
                        registry.getMessage());
                return Response.fail();
            }
            return Response.resume(deadLetter("deserialization", context, record.key(), record.value(), exception));
        }
    }

    /** Records a processor refused ({@link InvalidRecordException}) or failed on. */
    public static final class Processing extends DeadLettering implements ProcessingExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (!(DeadLetters.rootOf(exception) instanceof InvalidRecordException)) {
                LOG.error("Unexpected failure processing a record of {}-{}@{} in {}; it goes to dead-letters",
                        context.topic(), context.partition(), context.offset(), context.processorNodeId(), exception);
            }
            FailedInBatch inBatch = FailedInBatch.in(exception);
            // of a batch, only the events that failed (under the batch's key): the others were processed
            byte[] value = inBatch != null ? inBatch.value() : context.sourceRawValue();
            return Response.resume(deadLetter("processing", context, context.sourceRawKey(), value, exception));
        }
    }

    /** Records that cannot be written (too large, not serialisable). */
    public static final class Production extends DeadLettering implements ProductionExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
            if (exception instanceof RetriableException && !(exception instanceof RecordTooLargeException)) {
                return Response.fail();
            }
            return Response.resume(deadLetter("production", context, context.sourceRawKey(), context.sourceRawValue(), exception));
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                                 SerializationExceptionOrigin origin) {
            if (DeadLetters.rootOf(exception) instanceof SchemaRegistryException registry) {
                // not bad input: an outage or a schema the registry refuses; fail so the record is retried
                LOG.error("Cannot write to {}: the schema registry refused or did not answer ({}); failing the thread "
                        + "so that the record is written again", record.topic(), registry.getMessage());
                return Response.fail();
            }
            return Response.resume(deadLetter("production", context, context.sourceRawKey(), context.sourceRawValue(), exception));
        }
    }
}
