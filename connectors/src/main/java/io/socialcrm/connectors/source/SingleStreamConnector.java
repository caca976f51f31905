package io.socialcrm.connectors.source;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * A source connector that reads one stream, so runs one task whatever {@code tasks.max} says, and
 * checks its settings when it is created (a bad one fails the connector, naming what to fix).
 */
public abstract class SingleStreamConnector extends SourceConnector {
    private final Class<? extends Task> task;
    private final ConfigDef definition;
    private final Consumer<Map<String, String>> validate;
    private Map<String, String> props;

    protected SingleStreamConnector(Class<? extends Task> task, ConfigDef definition, Consumer<Map<String, String>> validate) {
        this.task = task;
        this.definition = definition;
        this.validate = validate;
    }

    @Override
    public void start(Map<String, String> props) {
        validate.accept(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return task;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
        // nothing held
    }

    @Override
    public ConfigDef config() {
        return definition;
    }

    @Override
    public String version() {
        return SourceSettings.version();
    }
}
