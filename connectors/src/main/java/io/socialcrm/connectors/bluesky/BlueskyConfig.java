package io.socialcrm.connectors.bluesky;

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

/** Settings of {@link BlueskySourceConnector}. Jetstream is public: there is no secret to give. */
public final class BlueskyConfig extends AbstractConfig {
    public static final String URL = "bluesky.jetstream.url";
    public static final String COMPRESS = "bluesky.jetstream.compress";
    public static final String FOLLOW_CONSENTED = "bluesky.follow.consented";
    public static final String ACCOUNTS = "bluesky.accounts";
    public static final String FILTER_REFRESH_MS = "bluesky.filter.refresh.ms";
    public static final String REWIND_MS = "bluesky.resume.rewind.ms";
    public static final String BACKOFF_MAX_MS = "bluesky.reconnect.backoff.max.ms";
    public static final String IDLE_TIMEOUT_MS = "bluesky.idle.timeout.ms";
    public static final String QUEUE_CAPACITY = "bluesky.queue.capacity";

    public static final ConfigDef DEFINITION = ConsentSettings.define(SourceSettings.define(new ConfigDef()
            .define(URL, ConfigDef.Type.STRING, "wss://jetstream2.us-east.bsky.network/subscribe", ConfigDef.Importance.HIGH,
                    "Jetstream's subscribe endpoint (ws:// or wss://). Bluesky runs four public instances "
                            + "(jetstream1/2.us-east, jetstream1/2.us-west .bsky.network); anyone can run their own.")
            .define(COMPRESS, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.LOW,
                    "Ask for zstd-compressed frames (about a fifth of the bytes), decoded with Jetstream's dictionary.")
            .define(FOLLOW_CONSENTED, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.HIGH,
                    "Keep the events of every Bluesky account (DID) with a GRANTED consent that has ACTIVITY scope, as actor, "
                            + "target or mentioned account, read from the consents topic and kept current as consents change.")
            .define(ACCOUNTS, ConfigDef.Type.LIST, "", ConfigDef.Importance.LOW,
                    "DIDs whose events are kept besides the consented accounts', e.g. the brand's own accounts.")
            .define(FILTER_REFRESH_MS, ConfigDef.Type.LONG, 5_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "Longest time before a changed consent changes what is kept.")
            .define(REWIND_MS, ConfigDef.Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW,
                    "How far before the last committed cursor a restarted or reconnected stream resumes (Jetstream's "
                            + "cursor is a time, and events near it may arrive out of order); repeats are dropped by event id.")
            .define(BACKOFF_MAX_MS, ConfigDef.Type.LONG, 30_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "Longest wait between two attempts to reconnect (the wait doubles from one second).")
            .define(IDLE_TIMEOUT_MS, ConfigDef.Type.LONG, 60_000L, ConfigDef.Range.atLeast(100), ConfigDef.Importance.LOW,
                    "A connection that sends nothing for this long is taken for dead and reconnected: Jetstream sends a "
                            + "steady stream, and a half-open connection (a network failure no one was told of) sends nothing "
                            + "and reports nothing.")
            .define(QUEUE_CAPACITY, ConfigDef.Type.INT, 10_000, ConfigDef.Range.between(10, 10_000_000),
                    ConfigDef.Importance.LOW, "Messages held between the socket and Connect; a full queue slows the socket.")),
            FOLLOW_CONSENTED);

    public BlueskyConfig(Map<String, String> props) {
        super(DEFINITION, props);
        String url = getString(URL).trim().toLowerCase(Locale.ROOT);
        if (!url.startsWith("ws://") && !url.startsWith("wss://")) {
            throw new ConfigException(URL, getString(URL), "must be a ws:// or wss:// URL of Jetstream's /subscribe");
        }
        try {
            URI.create(getString(URL).trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(URL, getString(URL), "is not a URL: " + e.getMessage());
        }
        if (followConsented()) {
            ConsentSettings.validate(this, FOLLOW_CONSENTED, "give " + ACCOUNTS);
        } else if (accounts().isEmpty()) {
            throw new ConfigException("Nothing to keep: set " + FOLLOW_CONSENTED + "=true, or give " + ACCOUNTS);
        }
    }

    public boolean followConsented() {
        return getBoolean(FOLLOW_CONSENTED);
    }

    public URI url() {
        return URI.create(getString(URL).trim());
    }

    /** The DIDs configured by hand. */
    public Set<String> accounts() {
        Set<String> dids = new LinkedHashSet<>();
        for (String did : getList(ACCOUNTS)) {
            if (!did.trim().startsWith("did:")) {
                throw new ConfigException(ACCOUNTS, did, "must be a list of DIDs (did:plc:... or did:web:...)");
            }
            dids.add(did.trim());
        }
        return dids;
    }
}
