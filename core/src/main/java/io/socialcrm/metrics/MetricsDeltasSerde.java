package io.socialcrm.metrics;

import io.socialcrm.avro.internal.MetricsDelta;
import io.socialcrm.avro.internal.MetricsDeltas;
import io.socialcrm.serde.InternalSerde;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The serde of the metrics buffers and of {@code metrics-deltas}: writes {@link MetricsDeltas}, and
 * reads both those and the single {@link MetricsDelta} that versions before 2026-12-03 wrote there
 * (one record a platform and hour), as a batch of one. A buffer restored from such a changelog, or a
 * delta still in the repartition topic when the application is upgraded, is so counted, not lost.
 */
public final class MetricsDeltasSerde {
    private static final InternalSerde<MetricsDeltas> BATCH = InternalSerde.of(MetricsDeltas.class);
    private static final InternalSerde<MetricsDelta> LEGACY = InternalSerde.of(MetricsDelta.class);
    public static final Serde<MetricsDeltas> INSTANCE = Serdes.serdeFrom(BATCH, MetricsDeltasSerde::read);

    private MetricsDeltasSerde() {
    }

    private static MetricsDeltas read(String topic, byte[] data) {
        if (data != null && !BATCH.wrote(data) && LEGACY.wrote(data)) {
            return new MetricsDeltas(List.of(LEGACY.deserialize(topic, data)));
        }
        return BATCH.deserialize(topic, data);
    }
}
