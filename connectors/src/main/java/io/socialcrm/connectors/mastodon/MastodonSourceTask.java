package io.socialcrm.connectors.mastodon;

import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.connectors.mapping.MappingException;
import io.socialcrm.connectors.mapping.MastodonMapper;
import io.socialcrm.connectors.source.ActivityGate;
import io.socialcrm.connectors.source.BadPayloads;
import io.socialcrm.connectors.source.ConsentFilter;
import io.socialcrm.connectors.source.ConsentSettings;
import io.socialcrm.connectors.source.ContractRecords;
import io.socialcrm.connectors.source.Polls;
import io.socialcrm.connectors.source.SourceSettings;
import io.socialcrm.connectors.source.TaskMetrics;
import io.socialcrm.contract.Topics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the configured token sees on its Mastodon server and writes the activities an account
 * with consent takes part in ({@link MastodonMapper}, {@link ConsentFilter}). The source offset is
 * the newest home status id and notification id read; after a restart or a dropped stream the client
 * reads both back over REST from there ({@code min_id}) before streaming again, and event ids this
 * task already wrote are not written twice (the topology drops repeats after a restart).
 */
public final class MastodonSourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(MastodonSourceTask.class);
    static final String HOME = "home";
    static final String NOTIFICATIONS = "notifications";
    private static final int REMEMBERED = 100_000;

    private MastodonConfig config;
    private ContractRecords records;
    private BadPayloads bad;
    private MastodonMapper mapper;
    private ConsentFilter filter;
    private BlockingQueue<MastodonClient.Item> queue;
    private MastodonClient client;
    private Map<String, String> partition;
    private int batchSize;
    private volatile String home;
    private volatile String notifications;
    private ActivityGate gate;
    private volatile long newestAt;

    @Override
    public String version() {
        return SourceSettings.version();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new MastodonConfig(props);
        Topics topics = SourceSettings.topics(config);
        records = new ContractRecords(topics, config.getBoolean(MastodonConfig.PROFILES));
        bad = SourceSettings.badPayloads(config, topics, props);
        batchSize = config.getInt(SourceSettings.BATCH_SIZE);
        queue = new ArrayBlockingQueue<>(config.getInt(MastodonConfig.QUEUE_CAPACITY));
        client = new MastodonClient(config, queue, () -> new MastodonClient.Marks(home, notifications));
        String self;
        try {
            self = MastodonMapper.accountKey(client.verifyCredentials());
        } catch (IOException | MappingException e) {
            throw new ConnectException("Mastodon at " + config.server().getHost() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while starting");
        }
        mapper = new MastodonMapper("mastodon-stream", self);
        partition = Map.of("server", config.server().getHost(), "account", self);
        Map<String, Object> offset = context == null ? null : context.offsetStorageReader().offset(partition);
        if (offset != null) {
            home = (String) offset.get(HOME);
            notifications = (String) offset.get(NOTIFICATIONS);
        }
        filter = ConsentSettings.filter(config, MastodonMapper.PLATFORM, topics, config.followConsented(), config.accounts(),
                config.getLong(MastodonConfig.FILTER_REFRESH_MS));
        gate = new ActivityGate(filter, REMEMBERED);
        gate.register(new TaskMetrics(context == null ? null : context.pluginMetrics()))
                .gauge("stream-connects-total", "Connections of the streaming API made", client.connects::get)
                .gauge("stream-disconnects-total", "Connections of the streaming API lost", client.disconnects::get)
                .gauge("backfilled-total", "Statuses and notifications read back over REST after a (re)connection", client.backfilled::get)
                .gauge("rate-limit-waits-total", "Waits for the REST rate limit to reset", client.rateLimitWaits::get)
                .gauge("bad-payloads-total", "Items that could not be read", bad::count)
                .gauge("cursor-lag-ms", "How far the newest item read is behind now", () -> newestAt == 0 ? 0
                        : Math.max(0, System.currentTimeMillis() - newestAt));
        LOG.info("Mastodon at {} as the token's account, {}", config.server().getHost(),
                home == null && notifications == null ? "live" : "reading back from the committed ids first");
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        filter.refresh();
        if (!filter.ready()) {
            Thread.sleep(200);
            return null;
        }
        client.start();
        client.checkAlive(config.getLong(MastodonConfig.IDLE_TIMEOUT_MS));
        List<SourceRecord> out = new ArrayList<>();
        for (MastodonClient.Item item : Polls.drain(queue, batchSize)) {
            map(item, out);
        }
        return out.isEmpty() ? null : out;
    }

    private void map(MastodonClient.Item item, List<SourceRecord> out) {
        gate.seen();
        if (item.homeId() != null) {
            home = Ids.max(home, item.homeId());
        }
        if (item.notificationId() != null) {
            notifications = Ids.max(notifications, item.notificationId());
        }
        Map<String, String> offset = new HashMap<>();
        if (home != null) {
            offset.put(HOME, home);
        }
        if (notifications != null) {
            offset.put(NOTIFICATIONS, notifications);
        }
        Mapped mapped;
        try {
            mapped = mapper.map(item.node());
        } catch (MappingException e) {
            bad.refuse(out, item.place(), e.getMessage(), BadPayloads.utf8(item.node().toString()), partition, offset);
            return;
        }
        for (SocialActivity activity : mapped.activities()) {
            newestAt = Math.max(newestAt, activity.getOccurredAt().toEpochMilli());
        }
        List<SocialActivity> keep = gate.keep(mapped);
        if (!keep.isEmpty()) {
            out.addAll(records.of(new Mapped(keep, mapped.profiles(), null), partition, offset));
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
