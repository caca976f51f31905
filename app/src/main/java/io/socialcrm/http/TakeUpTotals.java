package io.socialcrm.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.serde.PlainJson;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cross-platform consent take-up over the whole application: the latest {@code consent-take-up}
 * record of every partition of the customer stage (each written by its sweeps), added up.
 */
public final class TakeUpTotals {
    private final Map<String, ConsentTakeUp> byPartition = new ConcurrentHashMap<>();

    /** Takes a partition's latest count in (null: a tombstone). */
    public void accept(String key, ConsentTakeUp value) {
        if (value == null) {
            byPartition.remove(key);
        } else {
            byPartition.put(key, value);
        }
    }

    public long customers() {
        return byPartition.values().stream().mapToLong(ConsentTakeUp::getCustomers).sum();
    }

    /** '1', '2', '3+' to customers linked on that many platforms. */
    public Map<String, Long> byPlatformCount() {
        return sum(ConsentTakeUp::getByPlatformCount);
    }

    /** Platform to customers linked on it. */
    public Map<String, Long> byPlatform() {
        return sum(ConsentTakeUp::getByPlatform);
    }

    /** 'a+b' to customers linked on both. */
    public Map<String, Long> pairs() {
        return sum(ConsentTakeUp::getPairs);
    }

    /** Whether any partition has counted yet. */
    public boolean known() {
        return !byPartition.isEmpty();
    }

    public ObjectNode toJson() {
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("customers", customers());
        ObjectNode counts = body.putObject("byPlatformCount");
        for (String k : new String[] {"1", "2", "3+"}) {
            counts.put(k, byPlatformCount().getOrDefault(k, 0L));
        }
        ObjectNode platforms = body.putObject("platforms");
        byPlatform().forEach(platforms::put);
        ObjectNode pairs = body.putObject("pairs");
        pairs().forEach(pairs::put);
        body.put("partitionsCounted", byPartition.size());
        return body;
    }

    private Map<String, Long> sum(java.util.function.Function<ConsentTakeUp, Map<String, Long>> field) {
        Map<String, Long> total = new TreeMap<>();
        for (ConsentTakeUp t : byPartition.values()) {
            field.apply(t).forEach((k, v) -> total.merge(k, v, Long::sum));
        }
        return total;
    }
}
