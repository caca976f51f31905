package io.socialcrm.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect worker in this JVM (Kafka's standalone worker, started as
 * {@code connect-standalone.sh} starts it), for the embedded default: {@code demo --bi} and
 * {@code replay --jdbc-url} run the BI sink connector in it. Connector plugins come from
 * {@code plugin.path} (Debezium's JDBC sink, loaded in isolation) and from the classpath (socialcrm's
 * converter and transform); both are found through their service manifests.
 */
public final class EmbeddedConnect implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedConnect.class);
    private final Connect<StandaloneHerder> connect;

    private EmbeddedConnect(Connect<StandaloneHerder> connect) {
        this.connect = connect;
    }

    /**
     * Starts a worker on {@code bootstrapServers}; {@code workDir} holds its (source) offsets file;
     * {@code worker} adds or overrides worker settings (converters, for one).
     */
    public static EmbeddedConnect start(String bootstrapServers, Path workDir, List<Path> pluginPath, Map<String, String> worker) {
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("offset.storage.file.filename", workDir.resolve("connect.offsets").toString());
        props.put("plugin.path", pluginPath.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(",")));
        props.put("plugin.discovery", "service_load");
        props.put("listeners", "http://127.0.0.1:0");
        props.put("offset.flush.interval.ms", "1000");
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.putAll(worker);
        long started = System.nanoTime();
        try {
            Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(props);
            LOG.info("Kafka Connect worker started in process in {} ms (plugins: {})",
                    (System.nanoTime() - started) / 1_000_000, props.get("plugin.path"));
            return new EmbeddedConnect(connect);
        } catch (RuntimeException e) {
            throw new StackException("The embedded Kafka Connect worker did not start: " + e.getMessage(), e);
        }
    }

    /** Creates (or replaces) a connector and waits until the worker has taken it. */
    public void putConnector(String name, Map<String, String> config, Duration timeout) {
        Map<String, String> withName = new HashMap<>(config);
        withName.put("name", name);
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, withName, true, created);
        try {
            created.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new StackException("Kafka Connect refused the connector " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new StackException("Kafka Connect did not create the connector " + name + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while creating the connector " + name, e);
        }
    }

    /** The connector's and its tasks' states (RUNNING, FAILED with the trace, ...). */
    public ConnectorStateInfo status(String name) {
        return connect.herder().connectorStatus(name);
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
