package io.socialcrm.connectors.replay;

import io.socialcrm.connectors.source.SourceSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Replays recorded files into the contract's topics: Twitter API v1.1 payloads or SocialActivity
 * JSON into {@code social-activity} (and embedded profiles into {@code social-profiles}), consents
 * CSV into {@code consents}. Each file is one source partition whose offset is the number of items
 * read, so a restarted worker goes on where it stopped; delivery is at-least-once, and the topology
 * drops repeated activities by {@code eventId}. Files are shared among up to {@code tasks.max} tasks.
 */
public final class ReplaySourceConnector extends SourceConnector {
    private Map<String, String> props;
    private List<Path> files;

    @Override
    public void start(Map<String, String> props) {
        ReplayConfig config = new ReplayConfig(props);
        this.files = config.files();
        SourceSettings.topics(config);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ReplaySourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        int tasks = Math.max(1, Math.min(maxTasks, files.size()));
        List<List<String>> shares = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            shares.add(new ArrayList<>());
        }
        for (int i = 0; i < files.size(); i++) {
            shares.get(i % tasks).add(files.get(i).toString());
        }
        List<Map<String, String>> configs = new ArrayList<>();
        for (List<String> share : shares) {
            Map<String, String> task = new HashMap<>(props);
            task.put(ReplayConfig.TASK_FILES, String.join("\n", share));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
        // nothing held: the tasks hold the files
    }

    @Override
    public ConfigDef config() {
        return ReplayConfig.DEFINITION;
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        // offsets and records can be written in one transaction: a file is re-read from its committed position
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public String version() {
        return SourceSettings.version();
    }
}
