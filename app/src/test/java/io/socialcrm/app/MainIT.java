package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.app.MainTest.Outcome;
import io.socialcrm.testing.TestStacks;
import org.junit.jupiter.api.Test;

/** The {@code topics} commands against a real broker. */
class MainIT {
    private static Outcome run(String... args) {
        return MainTest.run(args);
    }

    @Test
    void topicsDescribeListsTheContractTopicsOfACluster() {
        String bootstrap = TestStacks.shared().bootstrapServers();
        Outcome o = run("topics", "describe", "--bootstrap-servers", bootstrap);
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("social-activity") && o.out().contains("compact") && o.out().contains("segment-members"), o.out());
        assertTrue(!o.out().contains("MISSING"), o.out());
    }

    @Test
    void topicsCreateMakesPrefixedTopics() {
        String bootstrap = TestStacks.shared().bootstrapServers();
        Outcome created = run("topics", "create", "--bootstrap-servers", bootstrap, "--prefix", "acme.",
                "--partitions", "2", "--replication-factor", "1");
        assertEquals(0, created.code(), created.err());
        assertTrue(created.out().contains("acme.social-activity"), created.out());
        Outcome again = run("topics", "create", "--bootstrap-servers", bootstrap, "--prefix", "acme.",
                "--partitions", "2", "--replication-factor", "1");
        assertTrue(again.out().contains("Every topic exists already."), again.out());
        Outcome described = run("topics", "describe", "--bootstrap-servers", bootstrap, "--prefix", "acme.");
        String activityLine = described.out().lines().filter(l -> l.startsWith("acme.social-activity")).findFirst().orElseThrow();
        assertTrue(activityLine.matches("acme\\.social-activity\\s+2\\s+1\\s+delete\\s+604800000"),
                "raw activity kept 7 days: " + activityLine);
        String consentsLine = described.out().lines().filter(l -> l.startsWith("acme.consents")).findFirst().orElseThrow();
        assertTrue(consentsLine.contains("compact"), consentsLine);
    }
}
