package io.socialcrm.metrics;

import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.serde.InternalSerde;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of the metrics buffers and of {@code metrics-deltas}: writes {@link MetricsDeltas}, and
 * reads both those and the single {@link MetricsDelta} that versions before 2026-12-03 wrote there
 * (one record a platform and hour), as a batch of one. A buffer restored from such a changelog, or a
 * delta still in the repartition topic when the application is upgraded, is so counted, not lost.
 */
public final class MetricsDeltasSerde implements Serde<MetricsDeltas>, Serializer<MetricsDeltas>, Deserializer<MetricsDeltas> {
    public static final MetricsDeltasSerde INSTANCE = new MetricsDeltasSerde();
    private static final InternalSerde<MetricsDeltas> BATCH = InternalSerde.of(MetricsDeltas.class);
    private static final InternalSerde<MetricsDelta> LEGACY = InternalSerde.of(MetricsDelta.class);

    private MetricsDeltasSerde() {
    }

    @Override
    public byte[] serialize(String topic, MetricsDeltas data) {
        return BATCH.serialize(topic, data);
    }

    @Override
    public MetricsDeltas deserialize(String topic, byte[] data) {
        if (data != null && !BATCH.wrote(data) && LEGACY.wrote(data)) {
            return new MetricsDeltas(List.of(LEGACY.deserialize(topic, data)));
        }
        return BATCH.deserialize(topic, data);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // holds no resources
    }

    @Override
    public Serializer<MetricsDeltas> serializer() {
        return this;
    }

    @Override
    public Deserializer<MetricsDeltas> deserializer() {
        return this;
    }
}
