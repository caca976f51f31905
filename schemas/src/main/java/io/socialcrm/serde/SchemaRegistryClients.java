package io.socialcrm.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes schema-registry clients. One cached client is shared by every serde of the same settings
 * in a JVM, so ids looked up by one serde serve them all.
 */
public final class SchemaRegistryClients {
    private static final Map<SchemaRegistryConfig, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    /**
     * A client for the settings: for http(s) URLs a cached REST client shared by every caller with the
     * same settings; for {@code mock://scope} the in-process registry of that scope (memory already).
     */
    public static SchemaRegistryClient create(SchemaRegistryConfig config) {
        if (config.isMock()) {
            return MockSchemaRegistry.scope(config.mockScope());
        }
        return SHARED.computeIfAbsent(config, c -> new CachingSchemaRegistryClient(new RestSchemaRegistryClient(c)));
    }
}
