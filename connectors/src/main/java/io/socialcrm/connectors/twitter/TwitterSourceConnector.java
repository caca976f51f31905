package io.socialcrm.connectors.twitter;

import io.socialcrm.connectors.source.SourceSettings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Twitter's v1.1 filter stream (twitter4j-stream) into the contract's topics: statuses and stream
 * notices mapped by the same mapper {@code socialcrm replay} uses, activities into
 * {@code social-activity} and the embedded user objects into {@code social-profiles}. It follows the
 * accounts that consented (read from {@code consents}, refreshed as consents change) and any
 * configured terms. One task: the API allows one filter connection per credentials.
 */
public final class TwitterSourceConnector extends SourceConnector {
    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new TwitterConfig(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return TwitterSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
        // the task holds the stream
    }

    @Override
    public ConfigDef config() {
        return TwitterConfig.DEFINITION;
    }

    @Override
    public String version() {
        return SourceSettings.version();
    }
}
