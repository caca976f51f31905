package io.socialcrm.connectors.source;

import io.socialcrm.contract.Topics;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where a source connector reads the consents that decide which accounts it follows or keeps: the
 * contract's {@code consents} topic, read whole by every task ({@link ConsentFollower}). Any other
 * consumer or schema-registry setting goes under the {@code consents.} prefix.
 */
public final class ConsentSettings {
    public static final String PREFIX = "consents.";
    public static final String TOPIC = "consents.topic";
    public static final String BOOTSTRAP = "consents.bootstrap.servers";
    public static final String REGISTRY = "consents.schema.registry.url";

    private ConsentSettings() {
    }

    /** The consent settings, added to a connector's own; {@code needed} names the setting that needs them. */
    public static ConfigDef define(ConfigDef def, String needed) {
        return def
                .define(TOPIC, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                        "Topic of the consents to follow (default: the contract's consents topic, with the prefix).")
                .define(BOOTSTRAP, ConfigDef.Type.STRING, null, ConfigDef.Importance.HIGH,
                        "Kafka brokers to read the consents from (needed with " + needed + "). Any other consumer or "
                                + "schema-registry setting can be given under the 'consents.' prefix, e.g. "
                                + "consents.security.protocol.")
                .define(REGISTRY, ConfigDef.Type.STRING, null, ConfigDef.Importance.HIGH,
                        "Schema registry of the consents topic (needed with " + needed + ").");
    }

    /** Fails fast, naming what to set, when consents are to be read but cannot be. */
    public static void validate(AbstractConfig config, String needed, String otherwise) {
        if (blank(config.getString(BOOTSTRAP)) || blank(config.getString(REGISTRY))) {
            throw new ConfigException(needed + "=true needs " + BOOTSTRAP + " and " + REGISTRY + " to read the consents"
                    + (otherwise == null ? "" : " (or set it to false and " + otherwise + ")"));
        }
    }

    /**
     * What a source keeps: the consented accounts of {@code platform} (when {@code followConsented}; the
     * follower is started here and stopped with the filter) and {@code configured} ones.
     */
    public static ConsentFilter filter(AbstractConfig config, String platform, Topics topics, boolean followConsented,
                                       Set<String> configured, long refreshMs) {
        ConsentFollower follower = null;
        if (followConsented) {
            String topic = config.getString(TOPIC);
            follower = new ConsentFollower(platform, config.originalsWithPrefix(PREFIX), blank(topic) ? topics.consents.name() : topic.trim());
            follower.start();
        }
        return new ConsentFilter(follower, configured, refreshMs, System::currentTimeMillis);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
