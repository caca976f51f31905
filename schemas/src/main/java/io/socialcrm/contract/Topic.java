package io.socialcrm.contract;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One topic of the data contract: its name (after any prefix), what its values are, how it is
 * cleaned up and kept. Keys are UTF-8 strings on every topic; values are Avro in the Confluent wire
 * format, except {@code dead-letters}, which keeps the original bytes.
 *
 * @param baseName  the contract's name, e.g. {@code social-activity}
 * @param name      the name on the cluster: prefix + base name
 * @param valueType the generated Avro class of the values, or {@code byte[].class}
 * @param kind      input / output, append / compacted
 * @param retention how long records are kept (append topics), or null for the broker's default
 * @param keyDoc    what the key is
 */
public record Topic<V>(String baseName, String name, Class<V> valueType, TopicKind kind, Duration retention, String keyDoc) {
    public Topic {
        Objects.requireNonNull(baseName);
        Objects.requireNonNull(name);
        Objects.requireNonNull(valueType);
        Objects.requireNonNull(kind);
    }

    /**
     * Topic-level configs to create it with. A compacted topic gets {@code max.compaction.lag.ms}
     * ({@link Topics#MAX_COMPACTION_LAG}): a segment older than that rolls at the next append (a
     * compaction marker at the latest, {@link Topics#COMPACTION_MARKER_KEY}) and is cleaned, so an
     * erasure's tombstones take the erased records with them within about that time.
     */
    public Map<String, String> configs() {
        Map<String, String> configs = new HashMap<>();
        configs.put("cleanup.policy", kind.cleanupPolicy());
        if (kind.isCompacted()) {
            configs.put("max.compaction.lag.ms", Long.toString(Topics.MAX_COMPACTION_LAG.toMillis()));
        }
        if (retention != null) {
            configs.put("retention.ms", Long.toString(retention.toMillis()));
        }
        return Map.copyOf(configs);
    }

    Topic<V> withPrefix(String prefix) {
        return new Topic<>(baseName, prefix + baseName, valueType, kind, retention, keyDoc);
    }
}
