package io.socialcrm.app;

import io.socialcrm.common.TopologySettings;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.TopicAdmin;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code socialcrm topics create|describe}: the contract's topics on a cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create or describe the contract's topics on a cluster.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Describe.class})
public final class TopicsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options shared by both subcommands. */
    static class Target {
        @Mixin
        ConfigOptions config;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka brokers (bootstrap.servers).")
        String bootstrapServers;

        @Option(names = "--prefix", paramLabel = "PREFIX", description = "Topic name prefix (topics.prefix).")
        String prefix;

        Settings settings(Map<String, String> more) {
            Map<String, String> flags = new HashMap<>(more);
            flags.put(AppConfig.BOOTSTRAP_SERVERS.name(), bootstrapServers);
            flags.put(AppConfig.TOPICS_PREFIX.name(), prefix);
            return config.load(flags);
        }

        /** The compacted topics of this cluster, prefix and {@code application.id} that keep erased records too long. */
        static List<TopicAdmin.UnboundedCompaction> unboundedCompaction(TopicAdmin admin, Settings settings) {
            return admin.unboundedCompaction(settings.string(AppConfig.APPLICATION_ID.name()), TopologySettings.compactionLag(settings).toMillis());
        }

        static Admin admin(Settings settings) {
            return Admin.create(AppConfig.adminClient(settings, "--bootstrap-servers localhost:9092"));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create the contract's topics that do not exist yet. Existing ones keep their partitions and settings, except "
                    + "that a compacted topic without max.compaction.lag.ms (made by a version before 2026-12-04) or with a longer one "
                    + "gets it, so that erasures reach it: the contract's topics the lag they are created with (1 day), the changelogs "
                    + "of the application (application.id) erasure.compaction.lag."})
    static final class Create implements Runnable {
        @Mixin
        Target target = new Target();

        @Option(names = "--partitions", paramLabel = "N", description = "Partitions per topic (topics.partitions, default 6).")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "Replication factor (topics.replication.factor, default 3; 1 for a single broker).")
        Short replicationFactor;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Map<String, String> flags = new HashMap<>();
            flags.put(AppConfig.TOPICS_PARTITIONS.name(), partitions == null ? null : partitions.toString());
            flags.put(AppConfig.TOPICS_REPLICATION.name(), replicationFactor == null ? null : replicationFactor.toString());
            Settings settings = target.settings(flags);
            Topics topics = Topics.withPrefix(settings.string(AppConfig.TOPICS_PREFIX.name()));
            int count = settings.intValue(AppConfig.TOPICS_PARTITIONS.name(), 1, 10_000);
            short rf = (short) settings.intValue(AppConfig.TOPICS_REPLICATION.name(), 1, 32);
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Target.admin(settings)) {
                TopicAdmin topicAdmin = new TopicAdmin(admin, topics);
                List<String> created = topicAdmin.createMissing(count, rf);
                out.println(created.isEmpty() ? "Every topic exists already." : "Created " + created.size() + " topic(s): " + created);
                List<TopicAdmin.UnboundedCompaction> unbounded = Target.unboundedCompaction(topicAdmin, settings);
                if (!unbounded.isEmpty()) {
                    topicAdmin.boundCompaction(unbounded);
                    out.println("Set max.compaction.lag.ms on " + unbounded.size() + " existing topic(s), so that erasures reach them: "
                            + unbounded);
                }
                String problem = topicAdmin.coPartitioningProblem();
                if (problem != null) {
                    out.println("WARNING: " + problem);
                }
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show each contract topic: partitions, replication, cleanup policy, retention.")
    static final class Describe implements Runnable {
        @Mixin
        Target target = new Target();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Settings settings = target.settings(Map.of());
            Topics topics = Topics.withPrefix(settings.string(AppConfig.TOPICS_PREFIX.name()));
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Target.admin(settings)) {
                TopicAdmin topicAdmin = new TopicAdmin(admin, topics);
                out.printf("%-28s %10s %4s %-8s %14s%n", "TOPIC", "PARTITIONS", "RF", "CLEANUP", "RETENTION.MS");
                for (TopicAdmin.TopicState state : topicAdmin.describe()) {
                    if (state.exists()) {
                        out.printf("%-28s %10d %4d %-8s %14s%n", state.name(), state.partitions(), state.replicationFactor(),
                                state.cleanupPolicy(), state.retentionMs());
                    } else {
                        out.printf("%-28s %10s%n", state.name(), "MISSING");
                    }
                }
                String problem = topicAdmin.coPartitioningProblem();
                if (problem != null) {
                    out.println("WARNING: " + problem);
                }
                List<TopicAdmin.UnboundedCompaction> unbounded = Target.unboundedCompaction(topicAdmin, settings);
                if (!unbounded.isEmpty()) {
                    out.println("WARNING: erased records stay in these compacted topics for as long as their partitions are quiet "
                            + "(`socialcrm topics create`, or the application started with topics.create=true, sets it): " + unbounded);
                }
            }
        }
    }
}
