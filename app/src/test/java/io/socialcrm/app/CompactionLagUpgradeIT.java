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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
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

    private static String lagOf(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG).value();
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
        assertEquals(Long.toString(UNBOUNDED), lagOf(admin, topics.customerProfiles.name()), "the broker's default: unbounded");
        assertEquals(Long.toString(UNBOUNDED), lagOf(admin, changelog));
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
                assertEquals(Long.toString(Duration.ofDays(1).toMillis()), lagOf(admin, d.topics().customerProfiles.name()),
                        "a contract topic: the lag it is created with");
                assertEquals(Long.toString(Duration.ofHours(2).toMillis()), lagOf(admin, changelog), "a changelog: erasure.compaction.lag");
                assertEquals("60000", lagOf(admin, d.applicationId() + "-segment-index-changelog"), "a shorter lag is kept");
                assertEquals(Long.toString(Duration.ofDays(1).toMillis()), lagOf(admin, d.topics().segmentMembers.name()), "as created");
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
                assertEquals(Long.toString(UNBOUNDED), lagOf(admin, d.topics().customerProfiles.name()));
                assertEquals(Long.toString(UNBOUNDED), lagOf(admin, changelog));
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
            assertEquals(Long.toString(UNBOUNDED), lagOf(admin, changelog), "describe changes nothing");

            MainTest.Outcome created = MainTest.run(concat(new String[] {"topics", "create", "--replication-factor", "1"}, target));
            assertEquals(0, created.code(), created.err());
            assertTrue(created.out().contains("Set max.compaction.lag.ms on 2 existing topic(s)"), created.out());
            assertEquals(Long.toString(Duration.ofDays(1).toMillis()), lagOf(admin, d.topics().customerProfiles.name()));
            assertEquals(Long.toString(Duration.ofHours(3).toMillis()), lagOf(admin, changelog));
            assertEquals("60000", lagOf(admin, d.applicationId() + "-segment-index-changelog"), "a shorter lag is kept");

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
