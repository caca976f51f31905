package io.socialcrm.connectors.testing;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * A source task's context for unit tests of a task on its own: committed offsets held in a map
 * (what a worker would read back from its offset store), plugin metrics in a real Kafka
 * {@link Metrics} registry. The worker itself is exercised by the integration tests.
 */
public final class TaskContexts implements SourceTaskContext {
    private final Map<Map<String, ?>, Map<String, Object>> committed = new HashMap<>();
    public final Metrics metrics = new Metrics();
    private final PluginMetrics plugin = new PluginMetricsImpl(metrics, Map.of("task", "test"));

    /** The context of the task restarted by a worker: the same committed offsets, new metrics. */
    public TaskContexts restarted() {
        TaskContexts next = new TaskContexts();
        next.committed.putAll(committed);
        return next;
    }

    /** Records the offsets of these records as committed (the last record of each partition wins). */
    public void commit(Collection<SourceRecord> records) {
        for (SourceRecord r : records) {
            @SuppressWarnings("unchecked")
            Map<String, Object> offset = (Map<String, Object>) r.sourceOffset();
            committed.put(r.sourcePartition(), offset);
        }
    }

    /** A metric's value by name. */
    public double metric(String name) {
        return metrics.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .map(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return committed.get(partition);
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                partitions.forEach(p -> out.put(p, committed.get(p)));
                return out;
            }
        };
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return plugin;
    }
}
