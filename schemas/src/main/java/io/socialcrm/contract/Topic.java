package io.socialcrm.contract;

import java.time.Duration;
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

    /** Topic-level configs to create it with. */
    public Map<String, String> configs() {
        if (retention == null) {
            return Map.of("cleanup.policy", kind.cleanupPolicy());
        }
        return Map.of("cleanup.policy", kind.cleanupPolicy(), "retention.ms", Long.toString(retention.toMillis()));
    }

    Topic<V> withPrefix(String prefix) {
        return new Topic<>(baseName, prefix + baseName, valueType, kind, retention, keyDoc);
    }
}
