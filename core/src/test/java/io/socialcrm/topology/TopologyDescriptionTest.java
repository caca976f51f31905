package io.socialcrm.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.common.Names;
import io.socialcrm.testing.TopologyFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Golden test of {@code topology.describe()}: an upgrade that renames a processor, store or
 * internal topic (and would orphan its state or repartition data) fails here. If a change is
 * intended, copy target/topology-description.actual.txt over the resource and say so in the commit.
 */
class TopologyDescriptionTest {
    private static final Path GOLDEN = Path.of("src/test/resources/topology-description.txt");

    @Test
    void theTopologyIsTheOneDescribed() throws IOException {
        String actual;
        try (TopologyFixture f = new TopologyFixture()) {
            actual = f.topology.describe().toString();
        }
        Files.writeString(Path.of("target/topology-description.actual.txt"), actual, StandardCharsets.UTF_8);
        assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), actual,
                "topology changed: if intended, copy target/topology-description.actual.txt to " + GOLDEN);
    }

    @Test
    void everyStoreAndRepartitionTopicHasAnExplicitName() throws IOException {
        String golden = Files.readString(GOLDEN, StandardCharsets.UTF_8);
        assertTrue(!golden.contains("KSTREAM-") && !golden.contains("KTABLE-"), "no generated names");
        Set<String> stores = new TreeSet<>();
        Matcher m = Pattern.compile("stores: \\[([^]]*)]").matcher(golden);
        while (m.find()) {
            for (String s : m.group(1).split(", ")) {
                if (!s.isBlank()) {
                    stores.add(s);
                }
            }
        }
        assertEquals(new TreeSet<>(Set.of(Names.ACCOUNT_CONSENTS, Names.SEEN_BATCHES, Names.SEEN_INDEX, Names.SEEN_EVENTS, Names.METRICS_BUFFER,
                Names.CONSENT_METRICS_BUFFER, Names.ACCEPTED_DEFINITIONS, Names.CUSTOMER_STATE, Names.SEGMENT_INDEX, Names.INFLUENCE_INDEX,
                Names.CUSTOMER_STAGE_DEFINITIONS, Names.SEGMENT_VERSIONS, Names.PENDING_ERASURES, Names.CUSTOMER_METRICS_BUFFER, Names.METRICS_TOTALS,
                Names.CONTACT_PLANS, Names.CREDIT_BATCHES, Names.EVENT_BATCHES, Names.PROFILE_OUTBOX, Names.METRICS_BUFFER_MARKS,
                Names.CONSENT_METRICS_BUFFER_MARKS, Names.CUSTOMER_METRICS_BUFFER_MARKS, Names.CUSTOMER_STATE_MARKS, Names.SEEN_BATCHES_MARKS,
                Names.INFLUENCE_DISTRIBUTION,
                Names.ACCOUNT_DIRECTORY)), stores);
    }
}
