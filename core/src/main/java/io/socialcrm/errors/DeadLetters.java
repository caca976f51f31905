package io.socialcrm.errors;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Builds {@code dead-letters} records: the original key and value bytes, the original headers, and
 * the error in headers named as Kafka Streams' own dead-letter queue names them (KIP-1034):
 * {@code __streams.errors.exception}, {@code .message}, {@code .topic}, {@code .partition},
 * {@code .offset}, plus {@code socialcrm.error.stage} (deserialization, processing, production).
 * No stack trace: messages are written to name the problem without personal data.
 */
public final class DeadLetters {
    public static final String HEADER_EXCEPTION = "__streams.errors.exception";
    public static final String HEADER_MESSAGE = "__streams.errors.message";
    public static final String HEADER_TOPIC = "__streams.errors.topic";
    public static final String HEADER_PARTITION = "__streams.errors.partition";
    public static final String HEADER_OFFSET = "__streams.errors.offset";
    public static final String HEADER_STAGE = "socialcrm.error.stage";
    /** Streams config key under which the handlers find the dead-letter topic. */
    public static final String TOPIC_CONFIG = org.apache.kafka.streams.StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG;

    private DeadLetters() {
    }

    public static ProducerRecord<byte[], byte[]> record(String deadLetterTopic, byte[] key, byte[] value,
                                                        ErrorHandlerContext context, Exception error, String stage) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(deadLetterTopic, null, context.timestamp(), key, value);
        Headers original = context.headers();
        if (original != null) {
            for (Header header : original) {
                if (!header.key().startsWith("__streams.errors.") && !header.key().equals(HEADER_STAGE)) {
                    record.headers().add(header);
                }
            }
        }
        Throwable cause = rootOf(error);
        add(record, HEADER_EXCEPTION, cause.getClass().getName());
        add(record, HEADER_MESSAGE, String.valueOf(cause.getMessage()));
        add(record, HEADER_TOPIC, context.topic());
        add(record, HEADER_PARTITION, Integer.toString(context.partition()));
        add(record, HEADER_OFFSET, Long.toString(context.offset()));
        add(record, HEADER_STAGE, stage);
        return record;
    }

    /**
     * The innermost cause that says something: Streams wraps processor exceptions, and a batch's
     * failure ({@link FailedInBatch}) carries the first failed event's.
     */
    static Throwable rootOf(Throwable error) {
        Throwable current = error;
        while (current.getCause() != null && current.getCause() != current
                && (current instanceof org.apache.kafka.streams.errors.StreamsException || current instanceof FailedInBatch
                || current.getClass().getName().startsWith("org.apache.kafka.streams.errors.internals"))) {
            current = current.getCause();
        }
        return current;
    }

    private static void add(ProducerRecord<byte[], byte[]> record, String key, String value) {
        record.headers().add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** A header's value as text, or null. */
    public static String header(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
