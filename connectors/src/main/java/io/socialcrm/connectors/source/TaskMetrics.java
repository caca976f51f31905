package io.socialcrm.connectors.source;

import java.util.LinkedHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * A source task's health as task metrics (Connect's plugin metrics, KIP-877: JMX
 * {@code kafka.connect:type=plugins,connector=...,task=...}).
 */
public final class TaskMetrics {
    private final PluginMetrics metrics;

    /** @param metrics the task context's plugin metrics, or null (then nothing is registered) */
    public TaskMetrics(PluginMetrics metrics) {
        this.metrics = metrics;
    }

    /** Registers a gauge read from {@code value}. */
    public TaskMetrics gauge(String name, String description, LongSupplier value) {
        if (metrics != null) {
            metrics.addMetric(metrics.metricName(name, description, new LinkedHashMap<>()),
                    (Gauge<Long>) (config, now) -> value.getAsLong());
        }
        return this;
    }
}
