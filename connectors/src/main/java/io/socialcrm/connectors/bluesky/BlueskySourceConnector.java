package io.socialcrm.connectors.bluesky;

import io.socialcrm.connectors.source.SingleStreamConnector;

/**
 * Bluesky's public firehose through Jetstream: posts, replies, quotes, reposts, likes, follows and
 * mentions as {@code social-activity}, kept only when an account with consent takes part (see
 * {@link BlueskySourceTask}). One task: Jetstream is one ordered stream.
 */
public final class BlueskySourceConnector extends SingleStreamConnector {
    public BlueskySourceConnector() {
        super(BlueskySourceTask.class, BlueskyConfig.DEFINITION, BlueskyConfig::new);
    }
}
