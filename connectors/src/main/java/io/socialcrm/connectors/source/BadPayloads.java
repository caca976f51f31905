package io.socialcrm.connectors.source;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a source task does with a payload that cannot become a contract record, after Connect's
 * conventions: with {@code errors.tolerance=all} it goes to the dead-letter topic (the original bytes,
 * the reason in Connect's {@code __connect.errors.*} headers, as Connect's own dead-letter queue
 * writes them) and the task goes on; with {@code none} the task fails, naming where the payload was.
 * Log lines name the place (file and line, or stream) and the reason, never the content.
 */
public final class BadPayloads {
    private static final Logger LOG = LoggerFactory.getLogger(BadPayloads.class);
    public static final String HEADER_PREFIX = "__connect.errors.";

    private final boolean tolerant;
    private final String topic;
    private final String connector;
    private final String task;
    private final AtomicLong count = new AtomicLong();

    public BadPayloads(boolean tolerant, String topic, String connector, String task) {
        this.tolerant = tolerant;
        this.topic = topic;
        this.connector = connector;
        this.task = task;
    }

    /**
     * A bad payload at {@code place}: adds its record for the dead-letter topic to {@code out} (none
     * when bad payloads are only logged); throws when bad payloads are not tolerated.
     */
    public void refuse(List<SourceRecord> out, String place, String reason, byte[] original, Map<String, ?> sourcePartition,
                       Map<String, ?> sourceOffset) {
        SourceRecord dead = refused(place, reason, original, sourcePartition, sourceOffset);
        if (dead != null) {
            out.add(dead);
        }
    }

    private SourceRecord refused(String place, String reason, byte[] original, Map<String, ?> sourcePartition,
                                 Map<String, ?> sourceOffset) {
        count.incrementAndGet();
        if (!tolerant) {
            throw new ConnectException("Bad payload at " + place + ": " + reason + " (errors.tolerance=none; set it to 'all' "
                    + "to send bad payloads to the dead-letter topic and go on)");
        }
        LOG.warn("Bad payload at {}: {}{}", place, reason, topic == null ? "" : " (sent to " + topic + ")");
        if (topic == null) {
            return null;
        }
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(HEADER_PREFIX + "connector.name", connector);
        headers.addString(HEADER_PREFIX + "task.id", task);
        headers.addString(HEADER_PREFIX + "stage", "TASK_POLL");
        headers.addString(HEADER_PREFIX + "class.name", "io.socialcrm.connectors");
        headers.addString(HEADER_PREFIX + "exception.class.name", "io.socialcrm.connectors.mapping.MappingException");
        headers.addString(HEADER_PREFIX + "exception.message", reason);
        headers.addString("socialcrm.error.stage", "connector");
        headers.addString("socialcrm.source.place", place);
        return new SourceRecord(sourcePartition, sourceOffset, topic, null, null, null, Schema.BYTES_SCHEMA,
                original == null ? new byte[0] : original, null, headers);
    }

    /** Bad payloads seen by this task. */
    public long count() {
        return count.get();
    }

    public static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
