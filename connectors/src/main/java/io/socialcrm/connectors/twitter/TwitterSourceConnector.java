package io.socialcrm.connectors.twitter;

import io.socialcrm.connectors.source.SingleStreamConnector;

/**
 * Twitter's v1.1 filter stream (twitter4j-stream) into the contract's topics: statuses and stream
 * notices mapped by the same mapper {@code socialcrm replay} uses, activities into
 * {@code social-activity} and the embedded user objects into {@code social-profiles}. It follows the
 * accounts that consented (read from {@code consents}, refreshed as consents change) and any
 * configured terms. One task: the API allows one filter connection per credentials.
 */
public final class TwitterSourceConnector extends SingleStreamConnector {
    public TwitterSourceConnector() {
        super(TwitterSourceTask.class, TwitterConfig.DEFINITION, TwitterConfig::new);
    }
}
