package io.socialcrm.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one), in this JVM, bound
 * to 127.0.0.1. Its log directory is a temporary folder removed on {@link #close()}. Settings suit
 * one broker: replication factor and min ISR 1 for the internal topics, so transactions
 * (exactly-once) work.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** "Forever" for segment rolling on the local stack: a century. */
    public static final long KEEP_MS = 100L * 365 * 24 * 3600 * 1000;

    private final Path logDir;
    private final int brokerPort;
    private final KafkaConfig config;
    private KafkaRaftServer server;
    private volatile boolean closed;

    private EmbeddedKafka(Path logDir, int brokerPort, KafkaConfig config, KafkaRaftServer server) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.config = config;
        this.server = server;
    }

    /** Formats a fresh log directory under {@code parent} and starts the broker; returns when it is ready. */
    public static EmbeddedKafka start(Path parent, Map<String, String> overrides) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            Path logDir = null;
            try {
                logDir = Files.createTempDirectory(parent, "kafka-");
                return startOnce(logDir, overrides);
            } catch (RuntimeException e) {
                // another process may have taken a port between choosing and binding it
                last = e;
                LOG.warn("Embedded Kafka did not start (attempt {}/3): {}", attempt, e.toString());
                StackFiles.deleteRecursively(logDir);
            } catch (IOException e) {
                throw new StackException("Cannot create the embedded Kafka log directory under " + parent, e);
            }
        }
        throw new StackException("Embedded Kafka failed to start", last);
    }

    private static EmbeddedKafka startOnce(Path logDir, Map<String, String> overrides) {
        int brokerPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        props.put("log.cleaner.threads", "1");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // The local stack replays history: record timestamps may be years old. Kafka rolls segments,
        // applies time retention and expires producer state by record timestamp, which would delete
        // replayed data mid-run and break idempotent producers. A run keeps everything instead.
        props.put("log.roll.ms", Long.toString(EmbeddedKafka.KEEP_MS));
        props.put("log.retention.ms", "-1");
        props.put("producer.id.expiration.check.interval.ms", Integer.toString(Integer.MAX_VALUE));
        props.putAll(overrides);

        KafkaConfig config = new KafkaConfig(props, false);
        Formatter formatter = new Formatter()
                .setNodeId(config.nodeId())
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir.toString())
                .setDirectories(List.of(logDir.toString()))
                .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            formatter.run();
        } catch (Exception e) {
            throw new StackException("Cannot format the embedded Kafka storage in " + logDir, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException ignored) {
                // it never fully started
            }
            throw e;
        }
        EmbeddedKafka kafka = new EmbeddedKafka(logDir, brokerPort, config, server);
        kafka.awaitReady();
        return kafka;
    }

    private void awaitReady() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new StackException("Embedded Kafka started but does not answer at " + bootstrapServers(), e);
        }
    }

    /** Stops the broker as an outage would, keeping its data and ports; {@link #startBroker()} brings it back. */
    public synchronized void stopBroker() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts a stopped broker again on the same ports with the same data; returns when it answers. */
    public synchronized void startBroker() {
        if (server == null && !closed) {
            KafkaRaftServer restarted = new KafkaRaftServer(config, Time.SYSTEM);
            restarted.startup();
            server = restarted;
            awaitReady();
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka shutdown: {}", e.toString());
        }
        StackFiles.deleteRecursively(logDir);
    }
}
