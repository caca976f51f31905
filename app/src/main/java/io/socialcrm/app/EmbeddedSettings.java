package io.socialcrm.app;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.stack.LocalStack;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Settings for running on the embedded stack: its addresses, one-broker replication, state in the
 * stack's temporary folder and a random salt; then the user's file, environment and options on top.
 */
final class EmbeddedSettings {
    private EmbeddedSettings() {
    }

    static Settings of(LocalStack stack, ConfigOptions config, String applicationId, Map<String, String> commandDefaults,
                       Map<String, String> flags) {
        Map<String, String> defaults = new LinkedHashMap<>(AppConfig.defaults());
        defaults.put(AppConfig.BOOTSTRAP_SERVERS.name(), stack.bootstrapServers());
        defaults.put(AppConfig.SCHEMA_REGISTRY_URL.name(), stack.schemaRegistryUrl());
        defaults.put(AppConfig.APPLICATION_ID.name(), applicationId);
        defaults.put(AppConfig.ENGAGERS_SALT.name(), HexFormat.of().formatHex(SecureRandom.getSeed(16)));
        defaults.put(AppConfig.TOPICS_REPLICATION.name(), "1");
        defaults.put(AppConfig.HTTP_HOST.name(), "127.0.0.1");
        defaults.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
        defaults.put(StreamsConfig.STATE_DIR_CONFIG, stack.workDir().resolve("state").toString());
        defaults.putAll(commandDefaults);
        Map<String, String> all = new LinkedHashMap<>(config == null ? Map.of() : config.overrides);
        flags.forEach((k, v) -> {
            if (v != null) {
                all.put(k, v);
            }
        });
        Settings settings = Settings.layered(defaults, config == null ? null : config.configFile, System.getenv(), all);
        AppConfig.rejectUnknown(settings);
        return settings;
    }
}
