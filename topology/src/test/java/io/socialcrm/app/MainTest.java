package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.testing.TestStacks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, version, and errors a user can act on. */
class MainTest {

    /** Exit code and what the command printed. */
    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void versionNamesTheProjectAndKafka() {
        Outcome o = run("--version");
        assertEquals(0, o.code());
        assertTrue(o.out().matches("(?s)socialcrm \\S+ \\(Kafka 4\\.\\d+\\.\\d+, Java .*"), o.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "replay", "run", "topics", "topics create", "topics describe"}) {
            String[] args = (command + " --help").split(" ");
            Outcome o = run(args);
            assertEquals(0, o.code(), command);
            assertTrue(o.out().startsWith("Usage: socialcrm " + command), command + ": " + o.out());
        }
    }

    @Test
    void anUnknownSettingIsRefusedWithASuggestion(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "bootstrap.servers=localhost:9092\ninfluence.halflif=14d\n");
        Outcome o = run("topics", "describe", "--config", file.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("Unknown setting 'influence.halflif'") && o.err().contains("did you mean 'influence.halflife'"),
                o.err());
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Outcome o = run("topics", "describe", "--config", "/no/such/app.properties");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("/no/such/app.properties"), o.err());
    }

    @Test
    void runFailsFastNamingTheMissingSetting() {
        Outcome o = run("run");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("Missing setting 'bootstrap.servers'") && o.err().contains("SOCIALCRM_BOOTSTRAP_SERVERS"), o.err());
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
