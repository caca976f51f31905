package io.socialcrm.connectors.mastodon;

import io.socialcrm.connectors.source.ConsentSettings;
import io.socialcrm.connectors.source.SourceSettings;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of {@link MastodonSourceConnector}. The access token is a password: Connect never logs
 * it, and it is best given through a config provider, e.g.
 * {@code mastodon.access.token=${file:/etc/socialcrm/mastodon.properties:token}}.
 */
public final class MastodonConfig extends AbstractConfig {
    public static final String SERVER_URL = "mastodon.server.url";
    public static final String STREAMING_URL = "mastodon.streaming.url";
    public static final String ACCESS_TOKEN = "mastodon.access.token";
    public static final String FOLLOW_CONSENTED = "mastodon.follow.consented";
    public static final String ACCOUNTS = "mastodon.accounts";
    public static final String FILTER_REFRESH_MS = "mastodon.filter.refresh.ms";
    public static final String BACKFILL_PAGES = "mastodon.backfill.max.pages";
    public static final String BACKOFF_MAX_MS = "mastodon.reconnect.backoff.max.ms";
    public static final String IDLE_TIMEOUT_MS = "mastodon.idle.timeout.ms";
    public static final String QUEUE_CAPACITY = "mastodon.queue.capacity";
    public static final String PROFILES = "mastodon.profiles";

    public static final ConfigDef DEFINITION = ConsentSettings.define(SourceSettings.define(new ConfigDef()
            .define(SERVER_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "The Mastodon server the token belongs to, e.g. https://mastodon.social.")
            .define(STREAMING_URL, ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW,
                    "Base URL of the server's streaming API when it is elsewhere (see /api/v2/instance "
                            + "configuration.urls.streaming); empty: the server URL.")
            .define(ACCESS_TOKEN, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "User access token (scope read) of the account whose home timeline and notifications are read: "
                            + "the brand's account, or a customer's own if they gave one (one connector per token).")
            .define(FOLLOW_CONSENTED, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.HIGH,
                    "Keep the statuses and notifications in which a Mastodon account (user@server) with a GRANTED consent "
                            + "that has ACTIVITY scope takes part, read from the consents topic and kept current.")
            .define(ACCOUNTS, ConfigDef.Type.LIST, "", ConfigDef.Importance.LOW,
                    "Accounts (user@server) whose activity is kept besides the consented ones, e.g. the brand's own.")
            .define(FILTER_REFRESH_MS, ConfigDef.Type.LONG, 5_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "Longest time before a changed consent changes what is kept.")
            .define(BACKFILL_PAGES, ConfigDef.Type.INT, 25, ConfigDef.Range.between(0, 10_000), ConfigDef.Importance.LOW,
                    "Most pages (40 items each) of home timeline and of notifications read back over REST after a "
                            + "(re)connection, from the last ones written; 0: no backfill.")
            .define(BACKOFF_MAX_MS, ConfigDef.Type.LONG, 60_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "Longest wait between two attempts to reconnect (the wait doubles from one second).")
            .define(IDLE_TIMEOUT_MS, ConfigDef.Type.LONG, 60_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "A stream that sends nothing, not even its heartbeat (every 15 s or so), for this long is taken for dead "
                            + "and reconnected (then read back over REST): a half-open connection reports nothing.")
            .define(QUEUE_CAPACITY, ConfigDef.Type.INT, 10_000, ConfigDef.Range.between(10, 10_000_000),
                    ConfigDef.Importance.LOW, "Events held between the stream and Connect; a full queue slows the stream.")
            .define(PROFILES, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.MEDIUM,
                    "Also write the profile snapshots of the accounts in kept statuses (follower, following and status "
                            + "counts) to social-profiles.")), FOLLOW_CONSENTED);

    public MastodonConfig(Map<String, String> props) {
        super(DEFINITION, props);
        url(SERVER_URL);
        if (!getString(STREAMING_URL).isBlank()) {
            url(STREAMING_URL);
        }
        if (followConsented()) {
            ConsentSettings.validate(this, FOLLOW_CONSENTED, "give " + ACCOUNTS);
        } else if (accounts().isEmpty()) {
            throw new ConfigException("Nothing to keep: set " + FOLLOW_CONSENTED + "=true, or give " + ACCOUNTS);
        }
    }

    private URI url(String key) {
        String value = getString(key).trim();
        String lower = value.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw new ConfigException(key, value, "must be an http:// or https:// URL, e.g. https://mastodon.social");
        }
        try {
            URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (uri.getHost() == null) {
                throw new ConfigException(key, value, "has no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, value, "is not a URL: " + e.getMessage());
        }
    }

    public URI server() {
        return url(SERVER_URL);
    }

    public URI streaming() {
        return getString(STREAMING_URL).isBlank() ? server() : url(STREAMING_URL);
    }

    public String token() {
        Password token = getPassword(ACCESS_TOKEN);
        return token == null ? "" : token.value();
    }

    public boolean followConsented() {
        return getBoolean(FOLLOW_CONSENTED);
    }

    /** The accounts configured by hand, as account keys (user@server, lower case). */
    public Set<String> accounts() {
        Set<String> accounts = new LinkedHashSet<>();
        for (String account : getList(ACCOUNTS)) {
            String key = account.trim().toLowerCase(Locale.ROOT);
            key = key.startsWith("@") ? key.substring(1) : key;
            if (key.indexOf('@') <= 0) {
                throw new ConfigException(ACCOUNTS, account, "must be a list of accounts as user@server");
            }
            accounts.add(key);
        }
        return accounts;
    }
}
