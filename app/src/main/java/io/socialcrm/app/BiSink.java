package io.socialcrm.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.stack.EmbeddedConnect;
import io.socialcrm.stack.StackException;
import io.socialcrm.stack.StackFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BI path of the embedded default: creates the BI tables in a PostgreSQL (if missing) and runs the
 * deployment's sink connector ({@code docker/connect/sink-postgres.json}, packaged in the jar) in a
 * Kafka Connect worker in this JVM, reading the output topics of {@code topics}. Used by
 * {@code demo --bi} and {@code replay --jdbc-url}; the table reference is {@code docs/bi.md}.
 */
final class BiSink implements AutoCloseable {
    /** A folder of Connect plugins holding Debezium's JDBC sink; default: {@code connect-plugins} next to the jar. */
    static final String PLUGINS_PROPERTY = "socialcrm.connect.plugins";
    private static final Logger LOG = LoggerFactory.getLogger(BiSink.class);
    private static final String RESOURCES = "/io/socialcrm/bi/";
    private final EmbeddedConnect connect;
    private final String name;
    private final List<String> topicNames;
    private final String bootstrapServers;

    /** A PostgreSQL to write to. */
    record Database(String url, String user, String password) {
        Database {
            if (url == null || !url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException("--jdbc-url", url, "must be a PostgreSQL JDBC URL, e.g. jdbc:postgresql://host:5432/db");
            }
        }
    }

    private BiSink(EmbeddedConnect connect, String name, List<String> topicNames, String bootstrapServers) {
        this.connect = connect;
        this.name = name;
        this.topicNames = topicNames;
        this.bootstrapServers = bootstrapServers;
    }

    /** Creates the tables (idempotent) and starts the sink; fails fast, saying why, if the database cannot be used. */
    static BiSink start(String bootstrapServers, String registryUrl, Topics topics, Database db, Path workDir) {
        createTables(db);
        JsonNode definition = definition();
        String name = definition.path("name").asText();
        Map<String, String> config = new LinkedHashMap<>();
        definition.path("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
        List<String> names = new ArrayList<>();
        for (Topic<?> t : List.of(topics.customerProfiles, topics.segmentMembers, topics.segmentChanges, topics.socialMetrics,
                topics.erasureReceipts)) {
            names.add(t.name());
        }
        config.put("topics", String.join(",", names));
        config.put("connection.url", db.url());
        config.put("connection.username", db.user() == null ? "" : db.user());
        config.put("connection.password", db.password() == null ? "" : db.password());
        config.put("transforms.tables.topic.prefix", topics.prefix());
        config.put("errors.deadletterqueue.topic.name", topics.prefix() + config.get("errors.deadletterqueue.topic.name"));
        // the outputs are written in transactions: the sink reads only what was committed, as the deployment's worker does
        Map<String, String> worker = Map.of("value.converter", "io.socialcrm.connectors.convert.AvroConverter",
                "value.converter.schema.registry.url", registryUrl, "consumer.isolation.level", "read_committed");
        createDeadLetterTopic(bootstrapServers, config.get("errors.deadletterqueue.topic.name"),
                Short.parseShort(config.getOrDefault("errors.deadletterqueue.topic.replication.factor", "1")));
        EmbeddedConnect connect = EmbeddedConnect.start(bootstrapServers, workDir, List.of(pluginFolder()), worker);
        try {
            connect.putConnector(name, config, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            connect.close();
            throw e;
        }
        LOG.info("BI sink {} started: {} -> PostgreSQL", name, names);
        return new BiSink(connect, name, names, bootstrapServers);
    }

    /**
     * Waits until the sink has written and committed every committed record of its topics, or fails
     * saying why. "Caught up" is: no committed record after the sink's committed offsets. (Comparing
     * those with the end offsets would wait forever: a sink commits the offset after its last record,
     * and the outputs are transactional, so a commit marker, and aborted records, follow.)
     */
    void awaitCaughtUp(Admin admin, Duration limit) throws InterruptedException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long deadline = System.nanoTime() + limit.toNanos();
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topicNames) {
                probe.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            probe.assign(partitions);
            while (System.nanoTime() < deadline) {
                failIfFailed();
                if (nothingAfterCommitted(admin, probe, partitions)) {
                    return;
                }
                Thread.sleep(250);
            }
        }
        failIfFailed();
        throw new StackException("The BI sink did not catch up within " + limit);
    }

    private boolean nothingAfterCommitted(Admin admin, KafkaConsumer<byte[], byte[]> probe, List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets("connect-" + name).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StackException("Cannot read the BI sink's progress: " + e.getMessage(), e);
        }
        for (TopicPartition p : partitions) {
            OffsetAndMetadata c = committed.get(p);
            probe.seek(p, c == null ? 0 : c.offset());
        }
        Map<TopicPartition, Long> ends = probe.endOffsets(partitions, Duration.ofSeconds(30));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (partitions.stream().anyMatch(p -> probe.position(p) < ends.get(p))) {
            if (!probe.poll(Duration.ofMillis(200)).isEmpty()) {
                return false;
            }
            if (System.nanoTime() > until) {
                return false;
            }
        }
        return true;
    }

    private void failIfFailed() {
        ConnectorStateInfo status = connect.status(name);
        for (ConnectorStateInfo.TaskState task : status.tasks()) {
            if ("FAILED".equals(task.state())) {
                throw new StackException("The BI sink failed: " + firstLine(task.trace()));
            }
        }
        if ("FAILED".equals(status.connector().state())) {
            throw new StackException("The BI sink failed: " + firstLine(status.connector().trace()));
        }
    }

    private static String firstLine(String trace) {
        return trace == null ? "(no trace)" : trace.lines().findFirst().orElse(trace);
    }

    /** Made here, so that Connect does not log an ERROR on its first bad record while it makes the topic itself. */
    private static void createDeadLetterTopic(String bootstrapServers, String topic, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, replicationFactor))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new StackException("Cannot create the BI sink's dead-letter topic " + topic + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new StackException("Cannot create the BI sink's dead-letter topic " + topic + ": no answer in 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while creating " + topic, e);
        }
    }

    private static void createTables(Database db) {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); Statement s = c.createStatement()) {
            s.execute(resource("postgres/socialcrm-bi.sql"));
        } catch (SQLException e) {
            throw new ConfigException("Cannot create the BI tables in " + db.url() + ": " + e.getMessage()
                    + " (check --jdbc-url, --jdbc-user and --jdbc-password, and that the user may create tables)");
        }
    }

    private static JsonNode definition() {
        try {
            return PlainJson.MAPPER.readTree(resource("connect/sink-postgres.json"));
        } catch (IOException e) {
            throw new IllegalStateException("The packaged sink definition is not JSON", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = BiSink.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("Not packaged: " + RESOURCES + name + " (build the project with Maven)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + RESOURCES + name, e);
        }
    }

    /** The plugin folder with Debezium's JDBC sink: {@value #PLUGINS_PROPERTY}, or {@code connect-plugins} next to the jar. */
    static Path pluginFolder() {
        String configured = System.getProperty(PLUGINS_PROPERTY, System.getenv("SOCIALCRM_CONNECT_PLUGINS"));
        Path codeFolder = StackFiles.codeFolder(BiSink.class);
        Path folder = configured != null && !configured.isBlank() ? Path.of(configured)
                : codeFolder == null ? null : codeFolder.resolve("connect-plugins");
        if (folder == null || !Files.isDirectory(folder)) {
            throw new ConfigException("No Kafka Connect plugins with Debezium's JDBC sink at " + folder
                    + ": build the project (mvn -DskipTests package, or ./socialcrm) or set -D" + PLUGINS_PROPERTY + "=FOLDER");
        }
        return folder;
    }

    @Override
    public void close() {
        connect.close();
    }
}
