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
import java.util.Map;
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

    @Test
    void aCreditToAConsentedTargetGoesStraightToItsCustomer() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            KeyValueStore<String, String> directory = f.store(Names.ACCOUNT_DIRECTORY);
            assertEquals("alice", directory.get(AccountDirectory.key(f.settings, "twitter:1")));
            written(f, accountCommands(f));

            f.engage("9", ActivityType.SHARE, "1", T0.plusSeconds(10));
            assertEquals(0, written(f, accountCommands(f)), "no hop through the target account's partition");
            assertEquals(1.0, shares(f, "alice"), 1e-9);

            f.engage("9", ActivityType.SHARE, "2", T0.plusSeconds(20)); // twitter:2 has no consent
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
