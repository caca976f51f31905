package io.socialcrm.influence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The influence distribution of one application, merged from the sketches its tasks publish to the
 * global {@code influence-distribution} store (key: {@code <application.id>/<task>}). Read by the
 * customer stage (to rank) and by the query API (to show ranks); rebuilt only when a sketch changed.
 * Thread-safe.
 */
public final class PublishedSketches {
    private final String prefix;
    private final int sketchK;
    private final long minPopulation;
    private long signature;
    private InfluenceDistribution distribution = InfluenceDistribution.empty();

    public PublishedSketches(String applicationId, int sketchK, long minPopulation) {
        this.prefix = applicationId + "/";
        this.sketchK = sketchK;
        this.minPopulation = minPopulation;
    }

    /** Reads every published sketch (the caller closes {@code all}); true if any changed since the last read. */
    public synchronized boolean reload(KeyValueIterator<String, ValueAndTimestamp<byte[]>> all) {
        long read = 17;
        List<byte[]> sketches = new ArrayList<>();
        while (all.hasNext()) {
            KeyValue<String, ValueAndTimestamp<byte[]>> kv = all.next();
            if (kv.key.startsWith(prefix) && kv.value != null && kv.value.value() != null) {
                sketches.add(kv.value.value());
                read = read * 31 + kv.key.hashCode() * 7L + Arrays.hashCode(kv.value.value());
            }
        }
        if (read == signature) {
            return false;
        }
        signature = read;
        distribution = InfluenceDistribution.of(sketches, sketchK, minPopulation);
        return true;
    }

    public synchronized InfluenceDistribution distribution() {
        return distribution;
    }
}
