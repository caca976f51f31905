package io.socialcrm.connectors.source;

import io.socialcrm.contract.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Settings every socialcrm source connector has: where records go, how bad payloads are handled, batch size. */
public final class SourceSettings {
    public static final String TOPICS_PREFIX = "topics.prefix";
    public static final String ERRORS_TOLERANCE = "errors.tolerance";
    public static final String DLQ_TOPIC = "errors.deadletterqueue.topic.name";
    public static final String BATCH_SIZE = "batch.size";

    private SourceSettings() {
    }

    /** The shared settings, added to a connector's own. */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(TOPICS_PREFIX, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM,
                        "Prefix of the contract's topic names, as the application's topics.prefix (e.g. 'acme.').")
                .define(ERRORS_TOLERANCE, ConfigDef.Type.STRING, "all",
                        ConfigDef.CaseInsensitiveValidString.in("none", "all"), ConfigDef.Importance.MEDIUM,
                        "What a payload that cannot become a contract record does. 'all' (default): it goes to the "
                                + "dead-letter topic with the reason in its headers and the task goes on. 'none': the task "
                                + "fails, naming the payload's place and the problem (Connect's own default for converters).")
                .define(DLQ_TOPIC, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
                        "Topic for the original bytes of bad payloads (default: the contract's dead-letters topic, "
                                + "with the prefix). Empty: bad payloads are only logged (place and reason) and counted.")
                .define(BATCH_SIZE, ConfigDef.Type.INT, 500, ConfigDef.Range.between(1, 100_000),
                        ConfigDef.Importance.LOW, "Most records one poll returns.");
    }

    /** The contract's topics under the configured prefix. */
    public static Topics topics(AbstractConfig config) {
        try {
            return Topics.withPrefix(config.getString(TOPICS_PREFIX));
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(TOPICS_PREFIX, config.getString(TOPICS_PREFIX), e.getMessage());
        }
    }

    /** True when bad payloads are tolerated (sent on or logged) rather than failing the task. */
    public static boolean tolerant(AbstractConfig config) {
        return "all".equals(config.getString(ERRORS_TOLERANCE).toLowerCase(Locale.ROOT));
    }

    /** The dead-letter topic, or null when bad payloads are only logged. */
    public static String deadLetterTopic(AbstractConfig config, Topics topics) {
        String configured = config.getString(DLQ_TOPIC);
        if (configured == null) {
            return topics.deadLetters.name();
        }
        return configured.isBlank() ? null : configured.trim();
    }

    /** How a task of connector {@code props.name} handles bad payloads, from the shared settings. */
    public static BadPayloads badPayloads(AbstractConfig config, Topics topics, Map<String, String> props) {
        String connector = props.getOrDefault("name", "socialcrm");
        return new BadPayloads(tolerant(config), deadLetterTopic(config, topics), connector, connector + "-task");
    }

    /** This plugin's version, as built. */
    public static String version() {
        Properties props = new Properties();
        try (InputStream in = SourceSettings.class.getResourceAsStream("/io/socialcrm/connectors/version.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return props.getProperty("version", "unknown");
    }
}
