package io.socialcrm.stack;

import io.socialcrm.contract.Topics;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.MockSchemaRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a real KRaft broker in this JVM and a schema registry (Apicurio as a child
 * process, or the in-process {@code mock://} registry), with the contract's topics created. Everything
 * lives in one temporary folder that {@link #close()} removes; a shutdown hook closes the stack on
 * Ctrl-C too.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Which schema registry the stack runs. */
    public enum RegistryKind {
        /** Apicurio Registry 2.6 in a child JVM, Confluent API. */
        APICURIO,
        /** In-process registry of this JVM ({@code mock://}): fastest, nothing else to start. */
        MOCK
    }

    /** How to start the stack. */
    public record Options(RegistryKind registry, int partitions, Topics topics, Map<String, String> brokerOverrides,
                          Duration registryTimeout) {
        public static Options defaults() {
            return new Options(RegistryKind.APICURIO, 4, Topics.defaults(), Map.of(), Duration.ofSeconds(90));
        }

        public Options withRegistry(RegistryKind kind) {
            return new Options(kind, partitions, topics, brokerOverrides, registryTimeout);
        }

        public Options withPartitions(int count) {
            return new Options(registry, count, topics, brokerOverrides, registryTimeout);
        }

        public Options withBrokerOverrides(Map<String, String> overrides) {
            return new Options(registry, partitions, topics, overrides, registryTimeout);
        }
    }

    private final Path workDir;
    private final EmbeddedKafka kafka;
    private final EmbeddedSchemaRegistry registry;
    private final String registryUrl;
    private final Topics topics;
    private final Thread shutdownHook;
    private volatile boolean closed;

    /** Done when the registry answers (at once with {@code mock://}). */
    private final CompletableFuture<Void> registryReady;

    private LocalStack(Path workDir, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, String registryUrl, Topics topics,
                       CompletableFuture<Void> registryReady) {
        this.workDir = workDir;
        this.kafka = kafka;
        this.registry = registry;
        this.registryUrl = registryUrl;
        this.topics = topics;
        this.registryReady = registryReady;
        this.shutdownHook = new Thread(this::closeQuietly, "socialcrm-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private static final String WORK_DIR_PREFIX = "socialcrm-stack-";
    private static final String OWNER_FILE = "owner.pid";

    /** Starts broker and registry side by side, creates the topics, and returns when all are ready. */
    public static LocalStack start(Options options) {
        return start(options, false);
    }

    /**
     * Like {@link #start(Options)}, but returns once the broker is up and the topics exist, while
     * the registry may still be starting (its address is known): a caller can start Kafka Streams,
     * whose first rebalance needs only the broker, and call {@link #awaitRegistry()} before it
     * writes or reads a record. The demo starts this way, to show its first results sooner.
     */
    public static LocalStack startRegistryInBackground(Options options) {
        return start(options, true);
    }

    private static LocalStack start(Options options, boolean registryInBackground) {
        removeStaleWorkDirs();
        Path workDir;
        try {
            workDir = Files.createTempDirectory(WORK_DIR_PREFIX);
            Files.writeString(workDir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new StackException("Cannot create a temporary folder for the local stack", e);
        }
        long started = System.nanoTime();
        EmbeddedSchemaRegistry registry = null;
        EmbeddedKafka kafka = null;
        CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
        try {
            if (options.registry() == RegistryKind.APICURIO) {
                EmbeddedSchemaRegistry launched = EmbeddedSchemaRegistry.launch(workDir);
                registry = launched;
                ready = CompletableFuture.runAsync(() -> launched.awaitReady(options.registryTimeout()));
            }
            kafka = EmbeddedKafka.start(workDir, options.brokerOverrides());
            if (!registryInBackground) {
                ready.join();
            }
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            if (registry != null) {
                registry.close();
            }
            StackFiles.deleteRecursively(workDir);
            throw unwrap(e);
        }
        String registryUrl = registry != null ? registry.url() : "mock://local-" + UUID.randomUUID();
        LocalStack stack = new LocalStack(workDir, kafka, registry, registryUrl, options.topics(), ready);
        try {
            stack.createTopics(options.partitions());
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        if (ready.isDone()) {
            LOG.info("Local stack ready in {} ms: Kafka {} (KRaft), schema registry {}",
                    (System.nanoTime() - started) / 1_000_000, kafka.bootstrapServers(), registryUrl);
        } else {
            LOG.info("Kafka ready in {} ms: {} (KRaft); schema registry starting at {}",
                    (System.nanoTime() - started) / 1_000_000, kafka.bootstrapServers(), registryUrl);
            ready.thenRun(() -> LOG.info("Schema registry ready in {} ms", (System.nanoTime() - started) / 1_000_000));
        }
        return stack;
    }

    private static RuntimeException unwrap(RuntimeException e) {
        return e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
    }

    /** Blocks until the schema registry answers; at once if it does already (or is {@code mock://}). */
    public void awaitRegistry() {
        try {
            registryReady.join();
        } catch (RuntimeException e) {
            throw unwrap(e);
        }
    }

    /**
     * Removes the temporary folders of stacks whose process is gone without cleaning up (killed with
     * SIGKILL, say). Returns how many were removed.
     */
    public static int removeStaleWorkDirs() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        int removed = 0;
        try (var dirs = Files.newDirectoryStream(tmp, WORK_DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                Path owner = dir.resolve(OWNER_FILE);
                try {
                    long pid = Long.parseLong(Files.readString(owner).trim());
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                } catch (IOException | NumberFormatException unreadable) {
                    // no owner recorded: leave it, it may be another version's
                    continue;
                }
                StackFiles.deleteRecursively(dir);
                removed++;
            }
        } catch (IOException e) {
            LOG.debug("Cannot scan {} for stale stack folders: {}", tmp, e.toString());
        }
        return removed;
    }

    /**
     * Creates the contract's topics, keeping every record for the life of the stack (no time
     * retention, no time-based rolling): replayed history must not age out while it is processed.
     */
    private void createTopics(int partitions) {
        try (Admin admin = admin()) {
            new TopicAdmin(admin, topics).createMissing(partitions, (short) 1, Map.of(
                    "retention.ms", "-1", "segment.ms", Long.toString(EmbeddedKafka.KEEP_MS)));
        }
    }

    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(props);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return registryUrl;
    }

    public Topics topics() {
        return topics;
    }

    /** The stack's temporary folder (broker logs, registry log); state directories of apps may go here too. */
    public Path workDir() {
        return workDir;
    }

    /** Stops the broker, keeping its data and address (fault tests: an outage). */
    public void stopBroker() {
        kafka.stopBroker();
    }

    /** Starts the stopped broker again at the same address with the same data. */
    public void startBroker() {
        kafka.startBroker();
    }

    /** Process id of the registry's child process, or -1 with the in-process registry. */
    public long registryPid() {
        return registry == null ? -1 : registry.pid();
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // called from the hook itself
        }
    }

    private synchronized void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        if (registry != null) {
            registry.close();
        } else if (registryUrl.startsWith("mock://")) {
            MockSchemaRegistry.drop(registryUrl.substring("mock://".length()));
        }
        kafka.close();
        StackFiles.deleteRecursively(workDir);
    }
}
