package io.socialcrm.ops;

import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates and describes the contract's topics on a cluster. */
public final class TopicAdmin {
    private static final long TIMEOUT_S = 60;

    private final Admin admin;
    private final Topics topics;

    public TopicAdmin(Admin admin, Topics topics) {
        this.admin = admin;
        this.topics = topics;
    }

    /** What one topic looks like on the cluster. */
    public record TopicState(String name, boolean exists, int partitions, int replicationFactor, String cleanupPolicy,
                             String retentionMs) {
    }

    /**
     * Creates every topic of the catalogue that does not exist yet; existing ones are left as they
     * are. Returns the names created, once every partition of them accepts writes
     * ({@link #awaitWritable}).
     */
    public List<String> createMissing(int partitions, short replicationFactor) {
        return createMissing(partitions, replicationFactor, Map.of());
    }

    /** As {@link #createMissing(int, short)}, with topic configs that replace the catalogue's. */
    public List<String> createMissing(int partitions, short replicationFactor, Map<String, String> configOverrides) {
        Set<String> existing = listNames();
        List<NewTopic> missing = new ArrayList<>();
        for (Topic<?> topic : topics.all()) {
            if (!existing.contains(topic.name())) {
                // the application reads its internal topic whole on every instance: one partition is enough
                int count = topic.kind() == io.socialcrm.contract.TopicKind.INTERNAL_COMPACTED ? 1 : partitions;
                Map<String, String> configs = new HashMap<>(topic.configs());
                configs.putAll(configOverrides);
                missing.add(new NewTopic(topic.name(), count, replicationFactor).configs(configs));
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        List<String> created = new ArrayList<>();
        admin.createTopics(missing).values().forEach((name, future) -> {
            try {
                future.get(TIMEOUT_S, TimeUnit.SECONDS);
                created.add(name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topic " + name, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Timed out creating topic " + name + " after " + TIMEOUT_S + " s", e);
            }
        });
        awaitWritable(created);
        return created;
    }

    /**
     * Returns when every partition of {@code names} has a leader that accepts writes. Topic creation
     * returns once the controller has recorded the topic, before the broker has applied it: a produce
     * request in that window is refused, and an idempotent producer with several requests in flight
     * can lose records to it (KAFKA-15591, see {@link Producers}). Checked, not slept: each
     * partition's leader must answer a ListOffsets request, which takes the same path on the broker
     * as a produce request (the partition must exist there and be led by it).
     */
    public void awaitWritable(Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        String lastProblem = "not listed yet";
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                        .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                described.forEach((name, description) -> description.partitions()
                        .forEach(p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException("Topics " + names + " were created but cannot be read: "
                            + e.getCause().getMessage(), e.getCause());
                }
                lastProblem = e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
            } catch (TimeoutException e) {
                lastProblem = "no answer from the cluster";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for new topics to accept writes", e);
            }
            pause();
        }
        throw new IllegalStateException("Topics " + names + " were created but not every partition accepts writes after "
                + TIMEOUT_S + " s (" + lastProblem + "): is every broker up?");
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the cluster", e);
        }
    }

    /** The state of every topic of the catalogue on the cluster, in catalogue order. */
    public List<TopicState> describe() {
        Set<String> existing = listNames();
        List<String> present = topics.all().stream().map(Topic::name).filter(existing::contains).toList();
        Map<String, TopicDescription> descriptions = new HashMap<>();
        Map<String, Config> configs = new HashMap<>();
        if (!present.isEmpty()) {
            descriptions.putAll(getListed(() -> admin.describeTopics(present).allTopicNames(), "describing topics"));
            List<ConfigResource> resources = present.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
            getListed(() -> admin.describeConfigs(resources).all(), "describing topic configs")
                    .forEach((resource, config) -> configs.put(resource.name(), config));
        }
        List<TopicState> states = new ArrayList<>();
        for (Topic<?> topic : topics.all()) {
            TopicDescription description = descriptions.get(topic.name());
            if (description == null) {
                states.add(new TopicState(topic.name(), false, 0, 0, null, null));
                continue;
            }
            Config config = configs.get(topic.name());
            states.add(new TopicState(topic.name(), true, description.partitions().size(),
                    description.partitions().get(0).replicas().size(),
                    value(config, "cleanup.policy"), value(config, "retention.ms")));
        }
        return states;
    }

    /** A compacted topic that lets a record outlive its tombstone longer than an erasure may take. */
    public record UnboundedCompaction(String name, String maxCompactionLagMs, long wantedMs) {
        /** What to set, and what is there: {@code name: max.compaction.lag.ms=86400000 (now unbounded)}. */
        @Override
        public String toString() {
            boolean unbounded = maxCompactionLagMs == null || maxCompactionLagMs.equals(Long.toString(Long.MAX_VALUE));
            return name + ": max.compaction.lag.ms=" + wantedMs + " (now " + (unbounded ? "unbounded" : maxCompactionLagMs) + ")";
        }
    }

    /**
     * The compacted topics that keep an erased record longer than they should: the contract's at more
     * than the lag they are created with ({@link Topic#configs()}), the changelogs of the application
     * {@code applicationId} at more than {@code changelogLagMs} ({@code erasure.compaction.lag}).
     */
    public List<UnboundedCompaction> unboundedCompaction(String applicationId, long changelogLagMs) {
        Map<String, Long> wanted = new TreeMap<>();
        for (Topic<?> topic : topics.all()) {
            String lag = topic.configs().get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
            if (lag != null) {
                wanted.put(topic.name(), Long.parseLong(lag));
            }
        }
        changelogs(applicationId).forEach(name -> wanted.put(name, changelogLagMs));
        return unboundedCompaction(wanted);
    }

    /**
     * Of the compacted topics named in {@code wantedMs} (topic to the longest {@code max.compaction.lag.ms}
     * it may have), those that exist and allow longer: the broker's default is unbounded, and topics
     * and changelogs created by versions before the compaction markers have no value of their own, so
     * an erasure's tombstones on a partition that goes quiet never take the erased records with them.
     */
    public List<UnboundedCompaction> unboundedCompaction(Map<String, Long> wantedMs) {
        Set<String> existing = listNames();
        List<ConfigResource> resources = wantedMs.keySet().stream().filter(existing::contains).sorted()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        if (resources.isEmpty()) {
            return List.of();
        }
        List<UnboundedCompaction> unbounded = new ArrayList<>();
        getListed(() -> admin.describeConfigs(resources).all(), "describing topic configs").forEach((resource, config) -> {
            String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
            String lag = value(config, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
            long wanted = wantedMs.get(resource.name());
            if (policy != null && policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) && (lag == null || Long.parseLong(lag) > wanted)) {
                unbounded.add(new UnboundedCompaction(resource.name(), lag, wanted));
            }
        });
        unbounded.sort(Comparator.comparing(UnboundedCompaction::name));
        return unbounded;
    }

    /** Sets each topic's {@code max.compaction.lag.ms} to the value wanted (other configs stay as they are). */
    public void boundCompaction(List<UnboundedCompaction> topics) {
        if (topics.isEmpty()) {
            return;
        }
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (UnboundedCompaction topic : topics) {
            ops.put(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()), List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(topic.wantedMs())), AlterConfigOp.OpType.SET)));
        }
        get(admin.incrementalAlterConfigs(ops).all(), "setting max.compaction.lag.ms");
    }

    /** The application's changelog topics on the cluster ({@code <application.id>-<store>-changelog}), sorted. */
    public List<String> changelogs(String applicationId) {
        return listNames().stream().filter(name -> name.startsWith(applicationId + "-") && name.endsWith("-changelog")).sorted().toList();
    }

    /**
     * Checks that the topics read by the account-keyed sub-topology exist with one partition count,
     * and that the global tables' topics exist; returns a message saying what to fix, or null.
     */
    public String coPartitioningProblem() {
        Map<String, Integer> counts = new HashMap<>();
        for (TopicState state : describe()) {
            counts.put(state.name(), state.partitions());
        }
        List<String> missing = new ArrayList<>();
        Map<String, Integer> copart = new java.util.LinkedHashMap<>();
        for (Topic<?> topic : topics.coPartitioned()) {
            Integer count = counts.get(topic.name());
            if (count == null || count == 0) {
                missing.add(topic.name());
            } else {
                copart.put(topic.name(), count);
            }
        }
        // the global tables' topics too: Kafka Streams would otherwise stop later, less clearly
        for (Topic<?> topic : topics.all()) {
            if (topic.kind() == io.socialcrm.contract.TopicKind.INTERNAL_COMPACTED && !counts.containsKey(topic.name())) {
                missing.add(topic.name());
            }
        }
        if (!missing.isEmpty()) {
            return "Missing topics " + missing + ": create them with 'socialcrm topics create' (or set "
                    + "topics.create=true)";
        }
        if (copart.values().stream().distinct().count() > 1) {
            return "Topics " + copart.keySet() + " must have the same number of partitions (they are joined by account "
                    + "key) but have " + copart.values() + ": recreate them with one count";
        }
        return null;
    }

    private Set<String> listNames() {
        return get(admin.listTopics().names(), "listing topics");
    }

    private static String value(Config config, String name) {
        if (config == null) {
            return null;
        }
        ConfigEntry entry = config.get(name);
        return entry == null ? null : entry.value();
    }

    /**
     * As {@link #get}, for a request about topics just listed: retried while the cluster answers with a
     * retriable error. A topic created a moment ago is known to the controller and to the broker that
     * listed it before every other broker has applied it, and the broker asked next may say it is unknown.
     */
    private static <T> T getListed(Supplier<KafkaFuture<T>> request, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                return get(request.get(), what);
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            pause();
        }
    }

    private static <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Failed " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out " + what + " after " + TIMEOUT_S + " s: is the cluster reachable?", e);
        }
    }
}
