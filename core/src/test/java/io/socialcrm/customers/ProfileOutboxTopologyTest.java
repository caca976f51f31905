package io.socialcrm.customers;

import static io.socialcrm.testing.TopologyFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.testing.TopologyFixture;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code customer-profiles} gets one record per customer and commit (customers/ProfileOutbox): the
 * test driver commits after each input record, and one activity that credits several accounts of a
 * customer reaches the customer stage as one batch, refreshed once per credit.
 */
class ProfileOutboxTopologyTest {

    private static void grantThreeAccountsEach(TopologyFixture f, String... customers) {
        int account = 1;
        for (String customer : customers) {
            for (int i = 0; i < 3; i++) {
                f.grant(customer, "twitter", Integer.toString(account++), T0);
            }
        }
    }

    @Test
    void aCustomerRefreshedThreeTimesInOneCommitHasOneProfileWrittenWithAllThree() {
        try (TopologyFixture f = new TopologyFixture()) {
            grantThreeAccountsEach(f, "alice");
            f.customerProfiles.readRecordsToList();

            f.mention("99", T0.plusSeconds(10), "1", "2", "3");

            List<TestRecord<String, CustomerProfile>> written = f.customerProfiles.readRecordsToList();
            assertEquals(1, written.size(), "three credits in one commit: one profile");
            assertEquals("alice", written.get(0).key());
            assertEquals(3.0, written.get(0).value().getInfluence().getMentionsReceived(), 1e-9, "the last profile: all three credits");
            assertEquals(T0.plusSeconds(10).toEpochMilli(), written.get(0).timestamp());
        }
    }

    @Test
    void eachCustomerOfOneCommitHasItsOwnProfileInTheOrderTheyWereFirstRefreshed() {
        try (TopologyFixture f = new TopologyFixture()) {
            grantThreeAccountsEach(f, "alice", "bob");
            f.customerProfiles.readRecordsToList();

            f.mention("99", T0.plusSeconds(10), "4", "1", "5", "2");

            List<TestRecord<String, CustomerProfile>> written = f.customerProfiles.readRecordsToList();
            assertEquals(List.of("bob", "alice"), written.stream().map(TestRecord::key).toList());
            written.forEach(r -> assertEquals(2.0, r.value().getInfluence().getMentionsReceived(), 1e-9, r.key()));
            // the next commit writes again
            f.mention("98", T0.plusSeconds(20), "3");
            Map<String, CustomerProfile> latest = TopologyFixture.latest(f.customerProfiles);
            assertEquals(Map.of("alice", 3.0), Map.of("alice", latest.get("alice").getInfluence().getMentionsReceived()));
        }
    }

    @Test
    void underAtLeastOnceEveryRefreshIsWrittenAtOnce() {
        try (TopologyFixture f = new TopologyFixture(Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE))) {
            grantThreeAccountsEach(f, "alice");
            f.customerProfiles.readRecordsToList();

            f.mention("99", T0.plusSeconds(10), "1", "2", "3");

            assertEquals(List.of(1.0, 2.0, 3.0), f.customerProfiles.readValuesToList().stream()
                    .map(p -> p.getInfluence().getMentionsReceived()).toList(), "a profile per refresh, as it happened");
        }
    }

    @Test
    void aRemovedCustomersTombstoneIsWrittenThroughTheOutbox() {
        try (TopologyFixture f = new TopologyFixture()) {
            f.grant("alice", "twitter", "1", T0);
            f.customerProfiles.readRecordsToList();

            f.revoke("alice", "twitter", "1", T0.plusSeconds(10));

            List<TestRecord<String, CustomerProfile>> written = f.customerProfiles.readRecordsToList();
            assertEquals(1, written.size(), "the last account unlinked: the customer is removed");
            assertNull(written.get(0).value());
        }
    }
}
