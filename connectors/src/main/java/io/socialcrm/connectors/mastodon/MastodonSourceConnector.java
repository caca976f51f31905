package io.socialcrm.connectors.mastodon;

import io.socialcrm.connectors.source.SingleStreamConnector;

/**
 * A Mastodon account's view of its server: the home timeline and notifications of the configured
 * token, streamed, with a REST backfill after each reconnection, as {@code social-activity}; kept only
 * when an account with consent takes part (see {@link MastodonSourceTask}). One task per token.
 */
public final class MastodonSourceConnector extends SingleStreamConnector {
    public MastodonSourceConnector() {
        super(MastodonSourceTask.class, MastodonConfig.DEFINITION, MastodonConfig::new);
    }
}
