package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.config.AppConfig;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application started on the topics of a version from before the compaction markers: their
 * compacted topics and changelogs had no {@code max.compaction.lag.ms}, so an erasure on a partition
 * that goes quiet would never leave them. With {@code topics.create} the application sets it; a
 * shorter value of the operator's stays; without {@code topics.create} nothing is changed (it warns).
 * An operator who creates the topics ahead ({@code socialcrm topics create}) gets the same from it.
 */
class CompactionLagUpgradeIT {
    private static final long UNBOUNDED = Long.MAX_VALUE;

    /**
     * The topic's {@code max.compaction.lag.ms} as the broker reports it, once it is {@code expected}
     * or after ten seconds. A topic created or altered is committed by the controller before the
     * broker that answers describeConfigs has applied it: a read at once may see the topic unknown
     * or its config as it was.
     */
    private static String lagOf(Admin admin, String topic, String expected) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String seen = null;
        while (true) {
            try {
                seen = admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG).value();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (expected.equals(seen) || System.nanoTime() > deadline) {
                return seen;
            }
            Thread.sleep(50);
        }
    }

    private static void assertLag(String expected, Admin admin, String topic, String message) throws Exception {
        assertEquals(expected, lagOf(admin, topic, expected), message);
    }

    /** The topics as an earlier version left them; returns the application's changelog it made without the config. */
    private static String earlierVersionsTopics(Admin admin, Topics topics, String applicationId) throws Exception {
        new TopicAdmin(admin, topics).createMissing(4, (short) 1);
        ConfigResource profiles = new ConfigResource(ConfigResource.Type.TOPIC, topics.customerProfiles.name());
        admin.incrementalAlterConfigs(Map.of(profiles, List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, ""), AlterConfigOp.OpType.DELETE)))).all().get();
        String changelog = applicationId + "-customer-state-changelog";
        String shorter = applicationId + "-segment-index-changelog";
        admin.createTopics(List.of(
                new NewTopic(changelog, 4, (short) 1).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(shorter, 4, (short) 1).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "60000")))).all().get();
        assertLag(Long.toString(UNBOUNDED), admin, topics.customerProfiles.name(), "the broker's default: unbounded");
        assertLag(Long.toString(UNBOUNDED), admin, changelog, null);
        return changelog;
    }

    /** An application id and topic prefix of their own, on the shared stack. */
    private record Deployment(String applicationId, String prefix, Topics topics) {
        static Deployment fresh() {
            String id = UUID.randomUUID().toString().substring(0, 8);
            return new Deployment("upgrade-" + id, "upgrade-" + id + ".", Topics.withPrefix("upgrade-" + id + "."));
        }

        Pipeline start(LocalStack stack, Path state, Map<String, String> settings) {
            return Pipeline.create(TestServices.settings(stack, applicationId, prefix, state, settings));
        }
    }

    @Test
    void withTopicsCreateTheApplicationBoundsTheCompactionLagOfTopicsMadeWithoutIt(@TempDir Path state) throws Exception {
        LocalStack stack = TestStacks.shared();
        Deployment d = Deployment.fresh();
        try (Admin admin = stack.admin()) {
            String changelog = earlierVersionsTopics(admin, d.topics(), d.applicationId());

            try (Pipeline pipeline = d.start(stack, state, Map.of(AppConfig.ERASURE_COMPACTION_LAG.name(), "2h"))) {
                assertLag(Long.toString(Duration.ofDays(1).toMillis()), admin, d.topics().customerProfiles.name(),
                        "a contract topic: the lag it is created with");
                assertLag(Long.toString(Duration.ofHours(2).toMillis()), admin, changelog, "a changelog: erasure.compaction.lag");
                assertLag("60000", admin, d.applicationId() + "-segment-index-changelog", "a shorter lag is kept");
                assertLag(Long.toString(Duration.ofDays(1).toMillis()), admin, d.topics().segmentMembers.name(), "as created");
            }
        }
    }

    @Test
    void withoutTopicsCreateNothingIsChanged(@TempDir Path state) throws Exception {
        LocalStack stack = TestStacks.shared();
        Deployment d = Deployment.fresh();
        try (Admin admin = stack.admin()) {
            String changelog = earlierVersionsTopics(admin, d.topics(), d.applicationId());

            try (Pipeline pipeline = d.start(stack, state, Map.of(AppConfig.TOPICS_CREATE.name(), "false"))) {
                assertLag(Long.toString(UNBOUNDED), admin, d.topics().customerProfiles.name(), null);
                assertLag(Long.toString(UNBOUNDED), admin, changelog, null);
            }
        }
    }

    @Test
    void topicsCreateBoundsTheCompactionLagOfExistingTopicsAndDescribeWarnsBefore() throws Exception {
        LocalStack stack = TestStacks.shared();
        Deployment d = Deployment.fresh();
        try (Admin admin = stack.admin()) {
            String changelog = earlierVersionsTopics(admin, d.topics(), d.applicationId());
            String[] target = {"--bootstrap-servers", stack.bootstrapServers(), "--prefix", d.prefix(),
                "-D", "application.id=" + d.applicationId(), "-D", "erasure.compaction.lag=3h"};

            MainTest.Outcome described = MainTest.run(concat(new String[] {"topics", "describe"}, target));
            assertEquals(0, described.code(), described.err());
            assertTrue(described.out().contains("WARNING: erased records stay") && described.out().contains(
                    d.topics().customerProfiles.name() + ": max.compaction.lag.ms=86400000 (now unbounded)")
                    && described.out().contains(changelog + ": max.compaction.lag.ms=10800000 (now unbounded)"), described.out());
            assertLag(Long.toString(UNBOUNDED), admin, changelog, "describe changes nothing");

            MainTest.Outcome created = MainTest.run(concat(new String[] {"topics", "create", "--replication-factor", "1"}, target));
            assertEquals(0, created.code(), created.err());
            assertTrue(created.out().contains("Set max.compaction.lag.ms on 2 existing topic(s)"), created.out());
            assertLag(Long.toString(Duration.ofDays(1).toMillis()), admin, d.topics().customerProfiles.name(), null);
            assertLag(Long.toString(Duration.ofHours(3).toMillis()), admin, changelog, null);
            assertLag("60000", admin, d.applicationId() + "-segment-index-changelog", "a shorter lag is kept");

            MainTest.Outcome again = MainTest.run(concat(new String[] {"topics", "describe"}, target));
            assertTrue(!again.out().contains("WARNING: erased records stay"), again.out());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
