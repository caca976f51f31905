package io.socialcrm.consent;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.internal.AccountConsent;
import io.socialcrm.common.Names;
import io.socialcrm.testing.TopologyFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Credits reach a consented target's customer in one hop through the account directory, and the
 * directory never lets anything through that the consent does not allow.
 */
class AccountDirectoryTest {

    private static long written(TopologyFixture f, String topic) {
        return f.driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList().size();
    }

    private static String accountCommands(TopologyFixture f) {
        return Names.repartitionTopic(f.settings.applicationId(), Names.ACCOUNT_COMMANDS);
    }

    private static double shares(TopologyFixture f, String customer) {
        CustomerProfile profile = TopologyFixture.latest(f.customerProfiles).get(customer);
        return profile == null ? 0 : profile.getInfluence().getSharesReceived();
    }

    /** A twitter user id whose account is ({@code own}) or is not on partition 0 of 4: the test driver's one task's. */
    private static String userOn(boolean own, int skip) {
        for (int i = 100; ; i++) {
            if ((AccountKeys.partitionOf("twitter:" + i, 4) == 0) == own && skip-- == 0) {
                return Integer.toString(i);
            }
        }
    }

    @Test
    void theGateFindsAnAccountsPartitionAsTheProducerPutsIt() {
        for (int partitions : new int[] {1, 4, 6, 12}) {
            for (int i = 0; i < 2_000; i++) {
                String key = (i % 2 == 0 ? "twitter:" : "bluesky:did:plc:") + i;
                assertEquals(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions),
                        AccountKeys.partitionOf(key, partitions), key);
            }
        }
    }

    @Test
    void aCreditToAnAccountOfTheGatesOwnPartitionIsDecidedThereWithoutAHop() {
        try (TopologyFixture f = new TopologyFixture(Map.of(), 4)) {
            String consented = userOn(true, 0);
            String unconsented = userOn(true, 1);
            String profileOnly = userOn(true, 2);
            f.grant("alice", "twitter", consented, T0);
            f.grant("bob", "twitter", profileOnly, T0, ConsentScope.PROFILE);
            // a directory that lags behind the consent: no entry for alice's account yet
            f.driver.createInputTopic(f.topics.accountDirectory.name(), Serdes.String().serializer(), Serdes.String().serializer())
                    .pipeInput(AccountDirectory.key(f.settings, "twitter:" + consented), null, T0);
            written(f, accountCommands(f));

            f.engage("9", ActivityType.SHARE, consented, T0.plusSeconds(10));
            f.engage("9", ActivityType.SHARE, unconsented, T0.plusSeconds(20));
            f.engage("9", ActivityType.SHARE, profileOnly, T0.plusSeconds(30));
            assertEquals(0, written(f, accountCommands(f)), "decided by this task's own consents, no round trip");
            assertEquals(1.0, shares(f, "alice"), 1e-9, "the consented target is credited");
            assertEquals(0.0, shares(f, "bob"), 0.0, "no ACTIVITY scope: nothing kept");
            try (var all = f.customerState().all()) {
                List<String> customers = new ArrayList<>();
                all.forEachRemaining(kv -> customers.add(kv.key));
                assertEquals(List.of("alice", "bob"), customers, "nothing kept for the unconsented target");
            }

            // the same three on other partitions take the long way, and end the same
            String elsewhere = userOn(false, 0);
            f.grant("carol", "twitter", elsewhere, T0.plusSeconds(40));
            f.driver.createInputTopic(f.topics.accountDirectory.name(), Serdes.String().serializer(), Serdes.String().serializer())
                    .pipeInput(AccountDirectory.key(f.settings, "twitter:" + elsewhere), null, T0.plusSeconds(40));
            written(f, accountCommands(f));
            f.engage("9", ActivityType.SHARE, elsewhere, T0.plusSeconds(50));
            f.engage("9", ActivityType.SHARE, userOn(false, 1), T0.plusSeconds(60));
            assertEquals(2, written(f, accountCommands(f)), "another partition's accounts: through the account-commands topic");
            assertEquals(1.0, shares(f, "carol"), 1e-9);
        }
    }

    @Test
    void aCreditToAConsentedTargetGoesStraightToItsCustomer() {
        try (TopologyFixture f = new TopologyFixture(Map.of(), 4)) {
            f.grant("alice", "twitter", "1", T0);
            KeyValueStore<String, String> directory = f.store(Names.ACCOUNT_DIRECTORY);
            assertEquals("alice", directory.get(AccountDirectory.key(f.settings, "twitter:1")));
            written(f, accountCommands(f));

            f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(10));
            assertEquals(0, written(f, accountCommands(f)), "no hop through the target account's partition");
            assertEquals(1.0, shares(f, "alice"), 1e-9);

            f.engage("9", ActivityType.SHARE, userOn(false, 0), T0.plusSeconds(20)); // no consent, another partition
            assertEquals(1, written(f, accountCommands(f)), "unknown to the directory: the account stage decides");
            try (var all = f.customerState().all()) {
                assertEquals("alice", all.next().key);
                assertFalse(all.hasNext(), "nothing kept for the unconsented target");
            }
        }
    }

    @Test
    void revocationAndLossOfTheActivityScopeTakeTheAccountOutOfTheDirectory() {
        try (TopologyFixture f = new TopologyFixture()) {
            KeyValueStore<String, String> directory = f.store(Names.ACCOUNT_DIRECTORY);
            f.grant("alice", "twitter", "1", T0);
            f.grant("alice", "twitter", "1", T0.plusSeconds(60), ConsentScope.PROFILE);
            assertNull(directory.get(AccountDirectory.key(f.settings, "twitter:1")), "PROFILE only: not credited");
            f.grant("alice", "twitter", "1", T0.plusSeconds(120));
            assertEquals("alice", directory.get(AccountDirectory.key(f.settings, "twitter:1")));
            f.revoke("alice", "twitter", "1", T0.plusSeconds(180));
            assertNull(directory.get(AccountDirectory.key(f.settings, "twitter:1")));
            f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(200));
            assertEquals(0.0, shares(f, "alice"), 0.0);
        }
    }

    @Test
    void aStaleEntryKeepsNothingTheConsentDoesNotAllow() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0, ConsentScope.PROFILE); // linked, without ACTIVITY
            // a directory copy that lags: it still names alice for the account
            TestInputTopic<String, String> directoryTopic = f.driver.createInputTopic(f.topics.accountDirectory.name(),
                    Serdes.String().serializer(), Serdes.String().serializer());
            directoryTopic.pipeInput(AccountDirectory.key(f.settings, "twitter:1"), "alice", T0);
            f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(10));
            assertEquals(0, written(f, accountCommands(f)), "routed straight, by the stale entry");
            assertEquals(0.0, shares(f, "alice"), 0.0, "the customer stage kept nothing: no ACTIVITY scope");
            // and an entry naming a customer that does not hold the account keeps nothing either
            directoryTopic.pipeInput(AccountDirectory.key(f.settings, "twitter:5"), "alice", T0);
            f.engage("9", ActivityType.SHARE, "5", T0.plusSeconds(20));
            assertEquals(0.0, shares(f, "alice"), 0.0);
        }
    }

    @Test
    void aMergeMovesTheEntryToTheSurvivorAndErasureRemovesIt() {
        try (TopologyFixture f = new TopologyFixture()) {
            KeyValueStore<String, String> directory = f.store(Names.ACCOUNT_DIRECTORY);
            f.grant("bob", "twitter", "2", T0);
            f.grant("bob-old", "twitter", "1", T0);
            f.merges.pipeInput("bob-old", CustomerMerge.newBuilder().setMergedId("bob-old").setSurvivorId("bob")
                    .setRequestedAt(T0.plusSeconds(30)).build(), T0.plusSeconds(30));
            assertEquals("bob", directory.get(AccountDirectory.key(f.settings, "twitter:1")));
            f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(60));
            assertEquals(1.0, shares(f, "bob"), 1e-9);

            f.erasures.pipeInput("bob", io.socialcrm.avro.ErasureRequest.newBuilder().setRequestId("r1").setCustomerId("bob")
                    .setRequestedAt(T0.plusSeconds(90)).build(), T0.plusSeconds(90));
            assertNull(directory.get(AccountDirectory.key(f.settings, "twitter:1")));
            assertNull(directory.get(AccountDirectory.key(f.settings, "twitter:2")));
            KeyValueStore<String, AccountConsent> consents = f.store(Names.ACCOUNT_CONSENTS);
            assertNull(consents.get("twitter:1"));
            try (var all = directory.all()) {
                assertFalse(all.hasNext(), "the directory is empty");
            }
        }
    }

    @Test
    void theDirectoryNamesNoAccount() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "90017001", T0);
            KeyValueStore<String, String> directory = f.store(Names.ACCOUNT_DIRECTORY);
            Map.Entry<String, String> only;
            try (var all = directory.all()) {
                var kv = all.next();
                only = Map.entry(kv.key, kv.value);
            }
            assertFalse(only.getKey().contains("90017001"), only.getKey());
            assertEquals(f.settings.applicationId() + "/", only.getKey().substring(0, f.settings.applicationId().length() + 1));
        }
    }
}
