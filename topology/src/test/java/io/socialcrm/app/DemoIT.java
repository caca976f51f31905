package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.serde.PlainJson;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job through the CLI entry point: segment changes happen, the API answers meanwhile, the summary holds them. */
class DemoIT {
    @Test
    void aShortDemoRunsTheWholePipeline(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path summary = dir.resolve("summary.json");
        CompletableFuture<MainTest.Outcome> demo = CompletableFuture.supplyAsync(() -> MainTest.run("demo",
                "--duration", "25s", "--customers", "800", "--rate", "300", "--seed", "7", "--http-port", Integer.toString(port),
                "--summary-json", summary.toString()));

        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        List<String> answered = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode top = null;
        while (System.nanoTime() < deadline && !demo.isDone() && answered.size() < 3) {
            try {
                if (!answered.contains("health") && get(http, base + "/health").statusCode() == 200) {
                    answered.add("health");
                }
                HttpResponse<String> segments = get(http, base + "/segments");
                if (!answered.contains("segments") && segments.statusCode() == 200
                        && PlainJson.MAPPER.readTree(segments.body()).path("segments").size() >= 10) {
                    answered.add("segments");
                }
                HttpResponse<String> influencers = get(http, base + "/influencers/top?limit=5");
                if (!answered.contains("top") && influencers.statusCode() == 200
                        && PlainJson.MAPPER.readTree(influencers.body()).path("influencers").size() == 5) {
                    top = PlainJson.MAPPER.readTree(influencers.body());
                    answered.add("top");
                }
            } catch (java.io.IOException notUpYet) {
                // the API starts a few seconds into the demo
            }
            Thread.sleep(500);
        }
        assertEquals(Set.of("health", "segments", "top"), Set.copyOf(answered), "the API answered during the run");
        String customer = top.path("influencers").get(0).path("customerId").asText();
        HttpResponse<String> profile = get(http, base + "/customers/" + customer);
        if (!demo.isDone()) {
            assertEquals(200, profile.statusCode(), profile.body());
            assertEquals(customer, PlainJson.MAPPER.readTree(profile.body()).path("customerId").asText());
        }

        MainTest.Outcome outcome = demo.get(3, TimeUnit.MINUTES);
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("Demo finished:"), outcome.out());
        JsonNode s = PlainJson.MAPPER.readTree(Files.readString(summary));
        assertTrue(s.path("events").asLong() > 5_000, s.toString());
        assertTrue(s.path("segmentChanges").path("total").asLong() > 50, s.toString());
        assertTrue(s.path("segmentChanges").path("entered").asLong() > 0);
        assertTrue(s.path("segmentSizes").path("top-influencers").asLong() > 0, s.toString());
        assertTrue(s.path("latencyMs").path("event").has("p99"), "event-triggered changes were timed: " + s);
        assertEquals(10, s.path("topInfluencers").size());
        double previous = Double.MAX_VALUE;
        for (JsonNode i : s.path("topInfluencers")) {
            assertTrue(i.path("raw").asDouble() <= previous, "top influencers in descending order");
            previous = i.path("raw").asDouble();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
