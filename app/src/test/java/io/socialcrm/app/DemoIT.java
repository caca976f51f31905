package io.socialcrm.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.stack.FreePorts;
import io.socialcrm.testing.StuckTransactions;
import io.socialcrm.testing.ThreadDump;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job through the CLI entry point: segment changes happen, the API answers meanwhile, the summary holds them;
 * with {@code --bi}, the outputs land in a real PostgreSQL as the BI tables.
 */
class DemoIT {
    @Test
    void aShortDemoRunsTheWholePipeline(@TempDir Path dir) throws Exception {
        int port = FreePorts.next();
        Path summary = dir.resolve("summary.json");
        MainTest.Running running = MainTest.start("demo",
                "--duration", "25s", "--customers", "800", "--rate", "300", "--seed", "7", "--http-port", Integer.toString(port),
                "--summary-json", summary.toString(), "--bi");
        CompletableFuture<MainTest.Outcome> demo = running.outcome();

        try {
            checkTheDemo(running, port, summary);
        } finally {
            if (!demo.isDone()) {
                running.stop(); // a failed check: the demo must not go on beside the tests after this one
            }
        }
    }

    private static void checkTheDemo(MainTest.Running running, int port, Path summary) throws Exception {
        CompletableFuture<MainTest.Outcome> demo = running.outcome();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        Set<String> answered = new TreeSet<>();
        try {
            awaitAnswers(http, base, answered, demo);
        } catch (ConditionTimeoutException e) {
            // twice in clean runs (2026-12-04) the pipeline made no segment change and the API never answered in time.
            // A CI report shows the start of this message: open transactions, the clients' warnings and the stream and
            // producer threads' stacks come first
            Matcher kafka = Pattern.compile("Embedded stack up: Kafka (\\S+),").matcher(running.printedSoFar());
            String transactions = kafka.find() ? StuckTransactions.of(kafka.group(1)) : "(the demo's broker is not known yet)\n";
            Pattern trouble = Pattern.compile("(?i)fail|error|retr|cancel|abort|couldn't|replaced|not available");
            String coordinator = running.err().toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains(" k.c.t.") && trouble.matcher(l).find())
                    .limit(20).collect(Collectors.joining("\n", "The transaction coordinator's troubles:\n", "\n"));
            String pipeline = ThreadDump.pipeline("The pipeline's threads:", "socialcrm", 15);
            throw new AssertionError("The API did not answer in time (" + answered + " did)\n" + transactions + coordinator
                    + pipeline + "\n" + running.printedSoFar() + "\n" + ThreadDump.of("Every thread of this JVM:"), e);
        }
        assertEquals(Set.of("health", "segments", "top", "profile of the top influencer"), answered,
                "the API answered during the run");

        MainTest.Outcome outcome = demo.get(3, TimeUnit.MINUTES);
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("Demo finished:"), outcome.out());
        JsonNode s = PlainJson.MAPPER.readTree(Files.readString(summary));
        // the live view's lines (every 5 s) and any hold-up of the generator say when a shortfall happened
        assertTrue(s.path("events").asLong() > 5_000, s + "\n" + outcome.out());
        assertTrue(s.path("segmentChanges").path("total").asLong() > 50, s.toString());
        assertTrue(s.path("segmentChanges").path("entered").asLong() > 0);
        assertTrue(s.path("segmentSizes").path("top-influencers").asLong() > 0, s.toString());
        assertTrue(s.path("latencyMs").path("event").has("p99"), "event-triggered changes were timed: " + s);
        assertEquals(10, s.path("topInfluencers").size());
        // --bi: the sink kept the outputs as tables in a real PostgreSQL; every member now entered once
        JsonNode bi = s.path("biTables");
        assertTrue(outcome.out().contains("BI tables in PostgreSQL: jdbc:postgresql://"), outcome.out());
        assertTrue(bi.path("customers").asLong() > 0, "the customers table: " + s);
        assertTrue(bi.path("segment_members").asLong() > 0, s.toString());
        assertTrue(bi.path("segment_changes").asLong() >= bi.path("segment_members").asLong(), "an ENTERED row per member: " + s);
        assertTrue(bi.path("social_metrics").asLong() > 0, s.toString());
        double previous = Double.MAX_VALUE;
        for (JsonNode i : s.path("topInfluencers")) {
            assertTrue(i.path("raw").asDouble() <= previous, "top influencers in descending order");
            previous = i.path("raw").asDouble();
        }
    }

    /** Asks the API until every answer came or the demo ended: every answer is checked while the demo runs. */
    private static void awaitAnswers(HttpClient http, String base, Set<String> answered, CompletableFuture<MainTest.Outcome> demo) {
        await("the API's answers during the demo").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(java.io.IOException.class) // the API starts a few seconds into the demo
                .until(() -> {
                    if (get(http, base + "/health").statusCode() == 200) {
                        answered.add("health");
                    }
                    HttpResponse<String> segments = get(http, base + "/segments");
                    if (segments.statusCode() == 200 && PlainJson.MAPPER.readTree(segments.body()).path("segments").size() >= 10) {
                        answered.add("segments");
                    }
                    HttpResponse<String> influencers = get(http, base + "/influencers/top?limit=5");
                    JsonNode top = influencers.statusCode() == 200 ? PlainJson.MAPPER.readTree(influencers.body()) : null;
                    if (top != null && top.path("influencers").size() == 5) {
                        answered.add("top");
                        String customer = top.path("influencers").get(0).path("customerId").asText();
                        HttpResponse<String> profile = get(http, base + "/customers/" + customer);
                        if (profile.statusCode() == 200
                                && customer.equals(PlainJson.MAPPER.readTree(profile.body()).path("customerId").asText())) {
                            answered.add("profile of the top influencer");
                        }
                    }
                    return answered.size() == 4 || demo.isDone();
                });
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
