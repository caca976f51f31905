package io.socialcrm.connectors.twitter;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import twitter4j.ConnectionLifeCycleListener;

/**
 * The stream's health as task metrics (Connect's plugin metrics, KIP-877: JMX
 * {@code kafka.connect:type=plugins,connector=...,task=...}): connections, disconnections, rate-limit
 * notices and how many statuses they withheld, stall warnings and the last queue fill they reported,
 * statuses and bad payloads, accounts followed.
 */
final class StreamMetrics implements ConnectionLifeCycleListener {
    final AtomicLong connects = new AtomicLong();
    final AtomicLong disconnects = new AtomicLong();
    final AtomicLong limitNotices = new AtomicLong();
    final AtomicLong limitUndelivered = new AtomicLong();
    final AtomicLong stallWarnings = new AtomicLong();
    final AtomicLong stallPercentFull = new AtomicLong();
    final AtomicLong statuses = new AtomicLong();
    final AtomicLong notices = new AtomicLong();
    final AtomicLong badPayloads = new AtomicLong();
    final AtomicLong followed = new AtomicLong();

    void register(PluginMetrics metrics) {
        if (metrics == null) {
            return;
        }
        add(metrics, "stream-connects-total", "Connections of the filter stream made", connects::get);
        add(metrics, "stream-disconnects-total", "Connections of the filter stream lost or closed", disconnects::get);
        add(metrics, "limit-notices-total", "Rate-limit notices received", limitNotices::get);
        add(metrics, "limit-undelivered-statuses", "Statuses withheld by the rate limit, as the last notice counted them",
                limitUndelivered::get);
        add(metrics, "stall-warnings-total", "Stall warnings received (the client reads too slowly)", stallWarnings::get);
        add(metrics, "stall-percent-full", "Fill of the server's queue in the last stall warning, percent", stallPercentFull::get);
        add(metrics, "statuses-total", "Statuses and events turned into activities", statuses::get);
        add(metrics, "notices-total", "Stream notices that carry no activity (delete, scrub_geo, ...)", notices::get);
        add(metrics, "bad-payloads-total", "Messages that could not be mapped", badPayloads::get);
        add(metrics, "followed-accounts", "User ids the filter stream follows", followed::get);
    }

    private static void add(PluginMetrics metrics, String name, String description, LongSupplier value) {
        metrics.addMetric(metrics.metricName(name, description, new LinkedHashMap<>()),
                (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    @Override
    public void onConnect() {
        connects.incrementAndGet();
    }

    @Override
    public void onDisconnect() {
        disconnects.incrementAndGet();
    }

    @Override
    public void onCleanUp() {
        // counted as a disconnect already
    }
}
