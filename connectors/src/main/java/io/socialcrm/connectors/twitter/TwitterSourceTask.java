package io.socialcrm.connectors.twitter;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.connectors.mapping.MappingException;
import io.socialcrm.connectors.mapping.QuietTwitterLogging;
import io.socialcrm.connectors.mapping.TwitterV1Mapper;
import io.socialcrm.connectors.source.BadPayloads;
import io.socialcrm.connectors.source.ConsentFilter;
import io.socialcrm.connectors.source.ConsentSettings;
import io.socialcrm.connectors.source.ContractRecords;
import io.socialcrm.connectors.source.SourceSettings;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.PlainJson;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import twitter4j.FilterQuery;
import twitter4j.RawStreamListener;
import twitter4j.TwitterStream;
import twitter4j.TwitterStreamFactory;
import twitter4j.conf.ConfigurationBuilder;

/**
 * Runs the filter stream: twitter4j's consumer thread puts each raw message on a bounded queue
 * (a full queue slows the stream rather than losing messages), {@link #poll()} maps them. twitter4j
 * reconnects by itself with the API's backoff policy (linear from 250 ms to 16 s after a network
 * error, exponential from 10 s to 240 s after an HTTP error). Changes to the consented accounts
 * reconnect the stream with the new set, at most once per {@code twitter.filter.refresh.ms}.
 */
public final class TwitterSourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(TwitterSourceTask.class);
    private static final Map<String, String> PARTITION = Map.of("stream", "statuses/filter");

    static {
        QuietTwitterLogging.install();
    }

    private TwitterConfig config;
    private ContractRecords records;
    private BadPayloads bad;
    private TwitterV1Mapper mapper;
    private BlockingQueue<String> queue;
    private TwitterStream stream;
    private ConsentFilter filter;
    private final StreamMetrics metrics = new StreamMetrics();
    private int batchSize;
    private boolean applied;
    /** The ids the stream follows now; null before the first filter. */
    private Set<Long> filtered;
    private long received;

    @Override
    public String version() {
        return SourceSettings.version();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new TwitterConfig(props);
        Topics topics = SourceSettings.topics(config);
        records = new ContractRecords(topics, config.getBoolean(TwitterConfig.PROFILES));
        bad = SourceSettings.badPayloads(config, topics, props);
        mapper = new TwitterV1Mapper("twitter-stream");
        batchSize = config.getInt(SourceSettings.BATCH_SIZE);
        queue = new ArrayBlockingQueue<>(config.getInt(TwitterConfig.QUEUE_CAPACITY));
        metrics.register(context == null ? null : context.pluginMetrics());
        // the configured ids are numbers and go in the request as they are: the filter holds the consented ones
        filter = ConsentSettings.filter(config, TwitterV1Mapper.PLATFORM, topics, config.followConsented(), Set.of(),
                config.getLong(TwitterConfig.FILTER_REFRESH_MS));
        stream = new TwitterStreamFactory(new ConfigurationBuilder()
                .setOAuthConsumerKey(config.secret(TwitterConfig.CONSUMER_KEY))
                .setOAuthConsumerSecret(config.secret(TwitterConfig.CONSUMER_SECRET))
                .setOAuthAccessToken(config.secret(TwitterConfig.ACCESS_TOKEN))
                .setOAuthAccessTokenSecret(config.secret(TwitterConfig.ACCESS_TOKEN_SECRET))
                .setStreamBaseURL(config.streamBaseUrl())
                .setJSONStoreEnabled(false)
                .setDebugEnabled(false)
                .build()).getInstance();
        stream.addConnectionLifeCycleListener(metrics);
        stream.addListener(new RawStreamListener() {
            @Override
            public void onMessage(String rawJson) {
                try {
                    queue.put(rawJson);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onException(Exception e) {
                LOG.warn("Filter stream: {}", e.getMessage());
            }
        });
        LOG.info("Twitter filter stream at {}: tracking {} term(s), following {}", config.streamBaseUrl(),
                config.getList(TwitterConfig.TRACK).size(), config.followConsented() ? "the consented accounts" : "configured ids");
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        refilter();
        String first = queue.poll(500, TimeUnit.MILLISECONDS);
        if (first == null) {
            return null;
        }
        List<String> lines = new ArrayList<>(Math.min(batchSize, queue.size() + 1));
        lines.add(first);
        queue.drainTo(lines, batchSize - 1);
        List<SourceRecord> out = new ArrayList<>(lines.size() * 2);
        for (String line : lines) {
            received++;
            map(line, out);
        }
        return out;
    }

    private void map(String line, List<SourceRecord> out) {
        Map<String, Long> offset = Map.of("received", received);
        if (line.isBlank()) {
            return; // keep-alive newline
        }
        Mapped mapped;
        try {
            mapped = mapper.map(line);
        } catch (MappingException e) {
            metrics.badPayloads.incrementAndGet();
            bad.refuse(out, "stream message " + received, e.getMessage(), BadPayloads.utf8(line), PARTITION, offset);
            return;
        }
        if (mapped.isNotice()) {
            notice(mapped.notice(), line);
            return;
        }
        metrics.statuses.addAndGet(mapped.activities().size());
        out.addAll(records.of(mapped, PARTITION, offset));
    }

    /** Counts a notice; rate limits and stall warnings also go to their metrics and the log. */
    private void notice(String kind, String line) {
        metrics.notices.incrementAndGet();
        try {
            JsonNode json = PlainJson.MAPPER.readTree(line);
            if (kind.equals("limit")) {
                metrics.limitNotices.incrementAndGet();
                metrics.limitUndelivered.set(json.path("limit").path("track").asLong());
            } else if (kind.equals("stall_warning")) {
                metrics.stallWarnings.incrementAndGet();
                JsonNode warning = json.path("warning");
                metrics.stallPercentFull.set(warning.path("percent_full").asLong());
                LOG.warn("Stall warning from the stream ({}, queue {}% full): Connect is not keeping up",
                        warning.path("code").asText("?"), warning.path("percent_full").asText("?"));
            } else if (kind.equals("disconnect")) {
                LOG.warn("The stream announced a disconnection (code {})", json.path("disconnect").path("code").asText("?"));
            }
        } catch (java.io.IOException e) {
            LOG.debug("Notice not parsed: {}", e.toString());
        }
    }

    /** Applies a changed set of followed accounts, at most once per refresh interval. */
    private void refilter() {
        if (!filter.ready()) {
            return; // the whole set first, rather than reconnecting as it loads
        }
        if (!filter.refresh() && applied) {
            return;
        }
        applied = true;
        Set<Long> ids = new LinkedHashSet<>(config.follow());
        int nonNumeric = 0;
        for (String id : filter.accounts()) {
            try {
                ids.add(Long.parseLong(id));
            } catch (NumberFormatException e) {
                nonNumeric++;
            }
        }
        if (nonNumeric > 0) {
            LOG.warn("{} consented Twitter account(s) have a platformUserId that is not a numeric user id: not followed", nonNumeric);
        }
        int max = config.getInt(TwitterConfig.FOLLOW_MAX);
        if (ids.size() > max) {
            LOG.warn("{} accounts to follow, more than twitter.follow.max={}: following the first {}", ids.size(), max, max);
            ids = new LinkedHashSet<>(ids.stream().limit(max).toList());
        }
        List<String> track = config.getList(TwitterConfig.TRACK);
        if (ids.equals(filtered)) {
            return;
        }
        filtered = Set.copyOf(ids);
        metrics.followed.set(ids.size());
        if (ids.isEmpty() && track.isEmpty()) {
            LOG.info("No consented account to follow and no term to track yet: the stream waits");
            stream.cleanUp();
            return;
        }
        LOG.info("Filter stream: following {} account(s), tracking {} term(s)", ids.size(), track.size());
        stream.filter(new FilterQuery().follow(ids.stream().mapToLong(Long::longValue).toArray())
                .track(track.toArray(String[]::new)));
    }

    @Override
    public void stop() {
        if (stream != null) {
            stream.shutdown();
        }
        if (filter != null) {
            filter.close();
        }
    }
}
