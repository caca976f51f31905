package io.socialcrm.connectors.bluesky;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.mapping.JetstreamMapper;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.connectors.mapping.MappingException;
import io.socialcrm.connectors.source.ActivityGate;
import io.socialcrm.connectors.source.BadPayloads;
import io.socialcrm.connectors.source.ConsentFilter;
import io.socialcrm.connectors.source.ConsentSettings;
import io.socialcrm.connectors.source.ContractRecords;
import io.socialcrm.connectors.source.Polls;
import io.socialcrm.connectors.source.SourceSettings;
import io.socialcrm.connectors.source.TaskMetrics;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Jetstream and writes the activities an account with consent takes part in. Every event is
 * mapped ({@link JetstreamMapper}); an activity whose actor, target and mentioned accounts all lack
 * a consent is dropped here and only counted ({@link ConsentFilter}). The cursor ({@code time_us},
 * the newest seen) is the source offset: a restarted task, and a reconnected socket, resume
 * {@code bluesky.resume.rewind.ms} before it, and the event ids this task wrote in that window are not
 * written again (after a restart, the topology drops repeats by event id). A dropped socket, or one
 * silent for {@code bluesky.idle.timeout.ms}, is reconnected with a backoff doubling from one second.
 */
public final class BlueskySourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(BlueskySourceTask.class);
    static final Map<String, String> PARTITION = Map.of("stream", "jetstream");
    static final String CURSOR = "cursor";

    private BlueskyConfig config;
    private ContractRecords records;
    private BadPayloads bad;
    private JetstreamMapper mapper;
    private ConsentFilter filter;
    private BlockingQueue<JetstreamClient.Message> queue;
    private JetstreamClient client;
    private int batchSize;
    private long rewindUs;
    /** The newest {@code time_us} read; volatile: the lag metric reads it from another thread. */
    private volatile long cursor;
    private long nextAttempt;
    private long backoffMs = 1_000;
    private boolean everConnected;
    private ActivityGate gate;
    final AtomicLong connects = new AtomicLong();
    final AtomicLong disconnects = new AtomicLong();

    @Override
    public String version() {
        return SourceSettings.version();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new BlueskyConfig(props);
        Topics topics = SourceSettings.topics(config);
        records = new ContractRecords(topics, false);
        bad = SourceSettings.badPayloads(config, topics, props);
        mapper = new JetstreamMapper("bluesky-jetstream");
        batchSize = config.getInt(SourceSettings.BATCH_SIZE);
        rewindUs = config.getLong(BlueskyConfig.REWIND_MS) * 1000;
        queue = new ArrayBlockingQueue<>(config.getInt(BlueskyConfig.QUEUE_CAPACITY));
        filter = ConsentSettings.filter(config, JetstreamMapper.PLATFORM, topics, config.followConsented(), config.accounts(),
                config.getLong(BlueskyConfig.FILTER_REFRESH_MS));
        gate = new ActivityGate(filter, 200_000);
        Map<String, Object> offset = context == null ? null : context.offsetStorageReader().offset(PARTITION);
        if (offset != null && offset.get(CURSOR) instanceof Number committed) {
            cursor = committed.longValue();
        }
        client = new JetstreamClient(config.url(), config.getBoolean(BlueskyConfig.COMPRESS), queue);
        gate.register(new TaskMetrics(context == null ? null : context.pluginMetrics()))
                .gauge("stream-connects-total", "Connections to Jetstream made", connects::get)
                .gauge("stream-disconnects-total", "Connections to Jetstream lost", disconnects::get)
                .gauge("bad-payloads-total", "Messages that could not be read", bad::count)
                .gauge("cursor-lag-ms", "How far the newest event read is behind now", this::lagMs);
        LOG.info("Jetstream at {}: {}, resuming {}", config.url().getHost(),
                config.followConsented() ? "keeping the consented accounts' events" : "keeping configured accounts' events",
                cursor > 0 ? "from the committed cursor" : "live");
    }

    private long lagMs() {
        return cursor <= 0 ? 0 : Math.max(0, System.currentTimeMillis() - cursor / 1000);
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        filter.refresh();
        if (!filter.ready()) {
            Thread.sleep(200); // the consents present at start first: events before them would be dropped wrongly
            return null;
        }
        ensureOpen();
        List<SourceRecord> out = new ArrayList<>();
        for (JetstreamClient.Message message : Polls.drain(queue, batchSize)) {
            map(message, out);
        }
        return out.isEmpty() ? null : out;
    }

    private void map(JetstreamClient.Message message, List<SourceRecord> out) {
        gate.seen();
        if (message.json() == null) {
            bad.refuse(out, "jetstream frame after cursor " + cursor, message.error(), message.undecodable(),
                    PARTITION, Map.of(CURSOR, cursor));
            return;
        }
        Mapped mapped;
        try {
            JsonNode event = PlainJson.MAPPER.readTree(message.json());
            if (event != null && event.path("time_us").canConvertToLong()) {
                cursor = Math.max(cursor, event.get("time_us").asLong());
            }
            mapped = mapper.map(event);
        } catch (MappingException | IOException e) {
            bad.refuse(out, "jetstream event after cursor " + cursor, e.getMessage(), BadPayloads.utf8(message.json()),
                    PARTITION, Map.of(CURSOR, cursor));
            return;
        }
        List<SocialActivity> keep = gate.keep(mapped);
        if (!keep.isEmpty()) {
            out.addAll(records.of(new Mapped(keep, List.of(), null), PARTITION, Map.of(CURSOR, cursor)));
        }
    }

    /** Opens the socket if it is not open, no sooner than the backoff allows. */
    private void ensureOpen() throws InterruptedException {
        long idleMs = config.getLong(BlueskyConfig.IDLE_TIMEOUT_MS);
        if (client.isOpen() && client.silentMs() > idleMs) {
            client.abandon("nothing received for " + idleMs + " ms (" + BlueskyConfig.IDLE_TIMEOUT_MS + ")");
        }
        if (client.isOpen()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (everConnected && nextAttempt == 0) {
            disconnects.incrementAndGet();
            LOG.warn("Jetstream connection lost: {}; reconnecting", client.closeReason());
            nextAttempt = now + backoffMs;
        }
        if (now < nextAttempt) {
            return;
        }
        long from = cursor > 0 ? Math.max(1, cursor - rewindUs) : 0;
        try {
            client.connect(from);
            connects.incrementAndGet();
            everConnected = true;
            nextAttempt = 0;
            backoffMs = 1_000;
            LOG.info("Connected to Jetstream{}", from > 0 ? " from cursor " + from : " (live)");
        } catch (IOException e) {
            backoffMs = Math.min(backoffMs * 2, config.getLong(BlueskyConfig.BACKOFF_MAX_MS));
            nextAttempt = now + backoffMs;
            LOG.warn("Cannot connect to Jetstream at {}: {}; next try in {} ms", config.url().getHost(), e.getMessage(), backoffMs);
        }
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
        if (filter != null) {
            filter.close();
        }
    }
}
