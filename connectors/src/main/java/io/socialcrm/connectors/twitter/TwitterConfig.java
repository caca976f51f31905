package io.socialcrm.connectors.twitter;

import io.socialcrm.connectors.source.ConsentSettings;
import io.socialcrm.connectors.source.SourceSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of {@link TwitterSourceConnector}. The four OAuth values are passwords: Connect never
 * logs them, and they are best given through a config provider, e.g.
 * {@code twitter.oauth.consumer.secret=${file:/etc/socialcrm/twitter.properties:consumer.secret}}.
 */
public final class TwitterConfig extends AbstractConfig {
    public static final String CONSUMER_KEY = "twitter.oauth.consumer.key";
    public static final String CONSUMER_SECRET = "twitter.oauth.consumer.secret";
    public static final String ACCESS_TOKEN = "twitter.oauth.access.token";
    public static final String ACCESS_TOKEN_SECRET = "twitter.oauth.access.token.secret";
    public static final String STREAM_BASE_URL = "twitter.stream.base.url";
    public static final String TRACK = "twitter.track";
    public static final String FOLLOW = "twitter.follow";
    public static final String FOLLOW_CONSENTED = "twitter.follow.consented";
    public static final String FOLLOW_MAX = "twitter.follow.max";
    public static final String FILTER_REFRESH_MS = "twitter.filter.refresh.ms";
    public static final String QUEUE_CAPACITY = "twitter.queue.capacity";
    public static final String PROFILES = "twitter.profiles";

    public static final ConfigDef DEFINITION = ConsentSettings.define(SourceSettings.define(new ConfigDef()
            .define(CONSUMER_KEY, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "OAuth 1.0a consumer (API) key of the Twitter app.")
            .define(CONSUMER_SECRET, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "OAuth consumer (API) secret.")
            .define(ACCESS_TOKEN, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "OAuth access token of the account the stream runs as.")
            .define(ACCESS_TOKEN_SECRET, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "OAuth access token secret.")
            .define(STREAM_BASE_URL, ConfigDef.Type.STRING, "https://stream.twitter.com/1.1/", ConfigDef.Importance.MEDIUM,
                    "Base URL of the v1.1 streaming API (statuses/filter.json is requested under it). Twitter closed the "
                            + "public endpoints in 2023: point it at a compatible service or a recording server.")
            .define(TRACK, ConfigDef.Type.LIST, "", ConfigDef.Importance.MEDIUM,
                    "Terms to track (brand names, campaign hashtags). Tracked statuses of people without consent only "
                            + "count anonymously: the consent gate drops them.")
            .define(FOLLOW, ConfigDef.Type.LIST, "", ConfigDef.Importance.LOW,
                    "Numeric user ids to follow besides the consented accounts, e.g. the brand's own accounts.")
            .define(FOLLOW_CONSENTED, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.HIGH,
                    "Follow every Twitter account with a GRANTED consent that has ACTIVITY scope, read from the consents "
                            + "topic and kept current as consents change.")
            .define(FOLLOW_MAX, ConfigDef.Type.INT, 5000, ConfigDef.Range.between(1, 1_000_000), ConfigDef.Importance.LOW,
                    "Most user ids one filter stream follows (5,000 at the v1.1 API's standard access level).")
            .define(FILTER_REFRESH_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "Shortest time between two reconnections of the stream to apply changed consents (the API limits "
                            + "how often a client may reconnect).")
            .define(QUEUE_CAPACITY, ConfigDef.Type.INT, 10_000, ConfigDef.Range.between(10, 10_000_000),
                    ConfigDef.Importance.LOW, "Messages held between the stream and Connect; a full queue slows the stream.")
            .define(PROFILES, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.MEDIUM,
                    "Also write the profile snapshots the statuses embed (user objects) to social-profiles.")), FOLLOW_CONSENTED);

    public TwitterConfig(Map<String, String> props) {
        super(DEFINITION, props);
        String url = getString(STREAM_BASE_URL).toLowerCase(Locale.ROOT);
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ConfigException(STREAM_BASE_URL, getString(STREAM_BASE_URL), "must be an http:// or https:// URL");
        }
        if (followConsented()) {
            ConsentSettings.validate(this, FOLLOW_CONSENTED, "give " + FOLLOW + " or " + TRACK);
        }
        if (!followConsented() && getList(TRACK).isEmpty() && getList(FOLLOW).isEmpty()) {
            throw new ConfigException("Nothing to stream: set " + FOLLOW_CONSENTED + "=true, or give " + TRACK + " or " + FOLLOW);
        }
        follow();
    }

    public boolean followConsented() {
        return getBoolean(FOLLOW_CONSENTED);
    }

    /** The base URL, ending with '/' as twitter4j expects. */
    public String streamBaseUrl() {
        String url = getString(STREAM_BASE_URL).trim();
        return url.endsWith("/") ? url : url + "/";
    }

    /** The static ids to follow. */
    public List<Long> follow() {
        List<Long> ids = new ArrayList<>();
        for (String id : getList(FOLLOW)) {
            try {
                ids.add(Long.parseLong(id.trim()));
            } catch (NumberFormatException e) {
                throw new ConfigException(FOLLOW, id, "must be a list of numeric user ids");
            }
        }
        return ids;
    }

    public String secret(String key) {
        Password password = getPassword(key);
        return password == null ? null : password.value();
    }
}
