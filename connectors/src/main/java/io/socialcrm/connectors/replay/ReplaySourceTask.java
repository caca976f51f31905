package io.socialcrm.connectors.replay;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.connectors.files.ActivityFiles;
import io.socialcrm.connectors.files.ActivityFormat;
import io.socialcrm.connectors.files.ConsentCsv;
import io.socialcrm.connectors.files.FileItem;
import io.socialcrm.connectors.files.ItemReader;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.connectors.source.BadPayloads;
import io.socialcrm.connectors.source.ContractRecords;
import io.socialcrm.connectors.source.SourceSettings;
import io.socialcrm.contract.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads its share of the replay files in order. The source partition of a file is its absolute
 * path; the offset is the number of items read from it, so that a restart skips what was sent.
 */
public final class ReplaySourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(ReplaySourceTask.class);
    static final String PARTITION_FILE = "file";
    static final String OFFSET_POSITION = "position";

    private final Deque<Path> pending = new ArrayDeque<>();
    private ReplayConfig config;
    private ReplayConfig.Format format;
    private ContractRecords records;
    private BadPayloads bad;
    private int batchSize;
    private long idleMs;
    private Path current;
    private Map<String, String> partition;
    private ItemReader<?> reader;
    private boolean finishedLogged;
    private boolean stopped;

    @Override
    public String version() {
        return SourceSettings.version();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new ReplayConfig(props);
        format = config.format();
        Topics topics = SourceSettings.topics(config);
        records = new ContractRecords(topics, config.getBoolean(ReplayConfig.PROFILES));
        bad = SourceSettings.badPayloads(config, topics, props);
        batchSize = config.getInt(SourceSettings.BATCH_SIZE);
        idleMs = config.getLong(ReplayConfig.IDLE_MS);
        String share = props.get(ReplayConfig.TASK_FILES);
        List<String> files = share == null ? config.files().stream().map(Path::toString).toList()
                : Arrays.stream(share.split("\n")).filter(s -> !s.isBlank()).toList();
        files.forEach(f -> pending.add(Path.of(f)));
        LOG.info("Replaying {} file(s) in format {}", pending.size(), config.getString(ReplayConfig.FORMAT));
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<SourceRecord> batch = read();
        if (batch == null) {
            return null;
        }
        if (batch.isEmpty()) {
            if (!finishedLogged) {
                LOG.info("Every file of this task has been replayed; idle");
                finishedLogged = true;
            }
            Thread.sleep(idleMs);
            return null;
        }
        return batch;
    }

    /** One batch; null once stopped. Synchronized with {@link #stop()}, which may come from another thread. */
    private synchronized List<SourceRecord> read() {
        if (stopped) {
            return null;
        }
        List<SourceRecord> batch = new ArrayList<>();
        try {
            while (batch.size() < batchSize) {
                if (reader == null && !openNext()) {
                    break;
                }
                FileItem<?> item = reader.next();
                if (item == null) {
                    LOG.info("Replayed {} item(s) of {}", reader.position(), current.getFileName());
                    closeReader();
                    continue;
                }
                Map<String, Long> offset = Map.of(OFFSET_POSITION, reader.position());
                if (!item.ok()) {
                    bad.refuse(batch, current.getFileName() + ":" + item.line(), item.error(),
                            BadPayloads.utf8(item.raw()), partition, offset);
                } else if (item.value() instanceof ConsentRecord consent) {
                    batch.add(records.consent(consent, partition, offset));
                } else {
                    batch.addAll(records.of((Mapped) item.value(), partition, offset));
                }
            }
        } catch (IOException e) {
            throw new ConnectException("Cannot read " + current + ": " + e.getMessage(), e);
        }
        return batch;
    }

    /** Opens the next pending file at its committed position; false when none is left. */
    private boolean openNext() throws IOException {
        while (!pending.isEmpty()) {
            current = pending.poll();
            partition = Map.of(PARTITION_FILE, current.toString());
            Map<String, Object> committed = context.offsetStorageReader().offset(partition);
            long done = committed == null || committed.get(OFFSET_POSITION) == null ? 0
                    : ((Number) committed.get(OFFSET_POSITION)).longValue();
            ReplayConfig.Format fileFormat = ReplayConfig.formatOf(current, format);
            reader = switch (fileFormat) {
                case CONSENTS_CSV -> ConsentCsv.open(current);
                case AUTO -> throw new IllegalStateException("formatOf decides the format of every file");
                default -> ActivityFiles.open(current, ActivityFormat.of(fileFormat.name().replace('_', '-')));
            };
            while (reader.position() < done && reader.next() != null) {
                // skipping what an earlier run sent
            }
            if (done > 0) {
                LOG.info("Resuming {} after item {}", current.getFileName(), done);
            }
            return true;
        }
        return false;
    }

    private void closeReader() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        try {
            closeReader();
        } catch (IOException e) {
            LOG.warn("Closing {}: {}", current, e.toString());
        }
    }
}
