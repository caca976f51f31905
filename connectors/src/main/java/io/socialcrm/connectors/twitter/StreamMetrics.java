package io.socialcrm.connectors.twitter;

import io.socialcrm.connectors.source.TaskMetrics;
import java.util.concurrent.atomic.AtomicLong;
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
        new TaskMetrics(metrics)
                .gauge("stream-connects-total", "Connections of the filter stream made", connects::get)
                .gauge("stream-disconnects-total", "Connections of the filter stream lost or closed", disconnects::get)
                .gauge("limit-notices-total", "Rate-limit notices received", limitNotices::get)
                .gauge("limit-undelivered-statuses", "Statuses withheld by the rate limit, as the last notice counted them",
                limitUndelivered::get)
                .gauge("stall-warnings-total", "Stall warnings received (the client reads too slowly)", stallWarnings::get)
                .gauge("stall-percent-full", "Fill of the server's queue in the last stall warning, percent", stallPercentFull::get)
                .gauge("statuses-total", "Statuses and events turned into activities", statuses::get)
                .gauge("notices-total", "Stream notices that carry no activity (delete, scrub_geo, ...)", notices::get)
                .gauge("bad-payloads-total", "Messages that could not be mapped", badPayloads::get)
                .gauge("followed-accounts", "User ids the filter stream follows", followed::get);
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
