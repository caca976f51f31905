package io.socialcrm.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.app.Progress;
import io.socialcrm.app.Service;
import io.socialcrm.app.TestServices;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.config.Settings;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.contract.Topics;
import io.socialcrm.generator.ActivityGenerator;
import io.socialcrm.generator.KafkaSink;
import io.socialcrm.generator.Population;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.segments.Segment;
import io.socialcrm.segments.SegmentFile;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.StuckTransactions;
import io.socialcrm.testing.TestStacks;
import io.socialcrm.testing.ThreadDump;
import io.socialcrm.topology.StreamsProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances behind one API contract: either answers for every customer, the lists are the same
 * from both, and after one stops the other serves every key once the rebalance ends. Also the API's
 * checks of its input and of the bearer token.
 */
class TwoInstancesIT {
    private static final String TOKEN = "two-instances-test-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eitherInstanceAnswersForEveryCustomerAndTheSurvivorServesAllAfterAFailure(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Settings a = TestServices.settings(stack, "two-app", "two.", dir.resolve("a"), Map.of("http.token", TOKEN));
        Settings b = a.with(Map.of("state.dir", dir.resolve("b").toString()), "test");
        ActivityGenerator generator = ActivityGenerator.create(400, 0.5, 11, Taxonomy.builtIn());

        Service first = Service.start(a);
        try (Service second = Service.start(b)) {
            first.awaitRunning(Duration.ofMinutes(2));
            second.awaitRunning(Duration.ofMinutes(2));
            produce(stack, Topics.withPrefix("two."), StreamsProperties.registry(a), generator, 4000);
            TestServices.awaitIdle(stack, first, Duration.ofMinutes(3), second);

            Set<String> customers = new LinkedHashSet<>();
            for (Population.Account account : generator.population().accounts) {
                if (account.consented) {
                    customers.add(account.customerId);
                }
            }
            assertTrue(customers.size() > 100, "a population with opted-in customers");
            int compared = 0;
            for (String customer : customers) {
                HttpResponse<String> fromA = get(first.url() + "/customers/" + customer, TOKEN);
                HttpResponse<String> fromB = get(second.url() + "/customers/" + customer, TOKEN);
                assertEquals(200, fromA.statusCode(), fromA.body());
                assertEquals(200, fromB.statusCode(), fromB.body());
                // the two reads come a moment apart from the one instance that holds the customer: if they differ, what
                // changed the profile between them was still being processed, or a task moved (2026-12-06: a customer
                // task had activity of its repartition topic to process while the outputs had been quiet for 2 s)
                assertEquals(PlainJson.MAPPER.readTree(fromA.body()), PlainJson.MAPPER.readTree(fromB.body()),
                        () -> customer + ": the answers differ; lag of the inputs and repartition topics now " + lagNow(stack, a)
                                + "; tasks " + tasks(first) + " and " + tasks(second));
                compared++;
            }
            assertEquals(customers.size(), compared);

            JsonNode topA = json(get(first.url() + "/influencers/top?limit=25", TOKEN));
            JsonNode topB = json(get(second.url() + "/influencers/top?limit=25", TOKEN));
            assertEquals(25, topA.path("influencers").size());
            assertEquals(topA, topB, "the same top list from both instances");

            JsonNode segmentsA = json(get(first.url() + "/segments", null));
            assertEquals(segmentsA, json(get(second.url() + "/segments", null)));
            String busiest = null;
            long most = 0;
            for (JsonNode s : segmentsA.path("segments")) {
                if (s.path("members").asLong() > most) {
                    most = s.path("members").asLong();
                    busiest = s.path("id").asText();
                }
            }
            assertTrue(most >= 5, "some segment has members: " + segmentsA);
            List<String> paged = new ArrayList<>();
            String after = null;
            do {
                JsonNode page = json(get(second.url() + "/segments/" + busiest + "/members?limit=3"
                        + (after == null ? "" : "&after=" + after), TOKEN));
                page.path("members").forEach(m -> paged.add(m.path("customerId").asText()));
                after = page.path("next").isNull() ? null : page.path("next").asText();
            } while (after != null);
            assertEquals(most, paged.size(), "paging through the members gives each once");
            assertEquals(paged.stream().sorted().toList(), paged, "in a stable order");

            // a new version of a definition: both instances list both versions, the new one in force
            SegmentDefinition dormant = SegmentFile.builtIn().stream().filter(d -> d.getId().equals("dormant")).findFirst().orElseThrow();
            SegmentDefinition next = SegmentDefinition.newBuilder(dormant).setVersion(dormant.getVersion() + 1).setMinDwell("7d").build();
            try (ContractWriter writer = new ContractWriter(stack.bootstrapServers(), Map.of(), StreamsProperties.registry(a),
                    Duration.ofSeconds(30))) {
                writer.send(Topics.withPrefix("two.").segmentDefinitions, "dormant", next);
            }
            for (Service instance : List.of(first, second)) {
                await("both versions of 'dormant' at " + instance.url()).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            JsonNode versions = json(get(instance.url() + "/segments/dormant/versions", null));
                            return versions.path("inForce").asInt() == next.getVersion() && versions.path("versions").size() == 2;
                        });
            }
            JsonNode versions = json(get(second.url() + "/segments/dormant/versions", null));
            assertEquals(dormant.getEnterWhen(), versions.path("versions").get(0).path("definition").path("enterWhen").asText());
            assertEquals("7d", versions.path("versions").get(1).path("definition").path("minDwell").asText());

            // a SHADOW candidate for the busiest segment: both instances compare it over all customers alike
            String candidate = busiest;
            SegmentDefinition busiestLive = SegmentFile.builtIn().stream().filter(d -> d.getId().equals(candidate)).findFirst().orElseThrow();
            SegmentDefinition shadow = SegmentDefinition.newBuilder(busiestLive).setVersion(busiestLive.getVersion() + 1)
                    .setEnterWhen("activity.level >= 1.0").setExitWhen(null).setMode(Segment.SHADOW).build();
            try (ContractWriter writer = new ContractWriter(stack.bootstrapServers(), Map.of(), StreamsProperties.registry(a),
                    Duration.ofSeconds(30))) {
                writer.send(Topics.withPrefix("two.").segmentDefinitions, busiest + Segment.SHADOW_SUFFIX, shadow);
            }
            // the sweep the candidate starts reaches each task's customers in its own time: while it runs, an answer
            // counts the customers swept so far. Once it is over, both instances give the same comparison
            JsonNode[] comparison = new JsonNode[2];
            await("the shadow of '" + busiest + "' evaluated by a sweep, and the same comparison from both instances")
                    .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        for (int i = 0; i < 2; i++) {
                            HttpResponse<String> response = get((i == 0 ? first : second).url() + "/segments/" + candidate
                                    + "/shadow?sample=5", TOKEN);
                            if (response.statusCode() != 200) {
                                return false;
                            }
                            comparison[i] = PlainJson.MAPPER.readTree(response.body());
                        }
                        return comparison[0].path("wouldEnter").asLong() + comparison[0].path("wouldStay").asLong() > 0
                                && comparison[0].equals(comparison[1]);
                    });
            JsonNode fromSecond = comparison[1];
            long liveMembers = 0;
            for (JsonNode segment : json(get(first.url() + "/segments", null)).path("segments")) {
                if (segment.path("id").asText().equals(busiest)) {
                    liveMembers = segment.path("members").asLong();
                }
            }
            assertEquals(liveMembers, fromSecond.path("wouldStay").asLong() + fromSecond.path("wouldLeave").asLong(),
                    "every live member either stays or would leave: " + fromSecond);
            assertEquals(shadow.getVersion(), fromSecond.path("shadowVersion").asInt());
            assertEquals(1, json(get(first.url() + "/segments", null)).path("shadows").size());

            // the console's questions get the same answers from either instance
            String someone = customers.iterator().next();
            JsonNode explainedA = json(get(first.url() + "/customers/" + someone + "/explain", TOKEN));
            assertEquals(explainedA, json(get(second.url() + "/customers/" + someone + "/explain", TOKEN)), "explain from both");
            assertEquals(json(get(first.url() + "/customers/" + someone, TOKEN)), explainedA.path("profile"));
            assertEquals(168, explainedA.path("hours").size());
            JsonNode exportA = json(get(first.url() + "/customers/" + someone + "/export", TOKEN));
            assertEquals(exportA, json(get(second.url() + "/customers/" + someone + "/export", TOKEN)), "the access report from both");
            assertTrue(exportA.path("held").asBoolean() && exportA.path("accounts").size() > 0, exportA.toString());
            // the history from segment-changes: each membership in force has its entry there, at its "since"
            Map<String, String> lastEntered = new TreeMap<>();
            exportA.path("segmentHistory").path("live").forEach(c -> {
                if (c.path("change").asText().equals("ENTERED")) {
                    lastEntered.put(c.path("segmentId").asText(), c.path("at").asText());
                }
            });
            for (JsonNode m : exportA.path("memberships")) {
                assertEquals(m.path("since").asText(), lastEntered.get(m.path("segmentId").asText()), "the entry of " + m + " in the history");
            }
            assertEquals(401, get(first.url() + "/customers/" + someone + "/export", null).statusCode(), "the export needs the token");
            assertFalse(json(get(second.url() + "/customers/nobody-at-all/export", TOKEN)).path("held").asBoolean(), "nothing held of an unknown id");
            String draft = "{\"id\":\"console-draft\",\"enterWhen\":\"activity.level >= 1.0\",\"version\":1}";
            JsonNode previewA = json(post(first.url() + "/segments/preview?sample=5", draft));
            assertEquals(previewA, json(post(second.url() + "/segments/preview?sample=5", draft)), "a preview adds up both instances alike");
            assertTrue(previewA.path("customers").asLong() >= customers.size(), "every customer is evaluated: " + previewA);
            assertTrue(previewA.path("members").asLong() > 0 && previewA.path("sample").size() == 5, previewA.toString());
            // cross-platform take-up, written by the sweeps of both instances' partitions, against a direct count of the input
            Map<String, Set<String>> platformsOf = new TreeMap<>();
            for (Population.Account account : generator.population().accounts) {
                if (account.consented) {
                    platformsOf.computeIfAbsent(account.customerId, k -> new TreeSet<>()).add(account.platform);
                }
            }
            JsonNode[] takeUp = new JsonNode[1];
            await("the take-up of every partition").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
                takeUp[0] = json(get(first.url() + "/consents/take-up", null));
                return takeUp[0].path("customers").asLong() == platformsOf.size();
            });
            assertEquals(takeUp[0], json(get(second.url() + "/consents/take-up", null)), "the same take-up from both instances");
            Map<String, Long> spread = new TreeMap<>();
            Map<String, Long> pairs = new TreeMap<>();
            for (Set<String> platforms : platformsOf.values()) {
                spread.merge(platforms.size() >= 3 ? "3+" : Integer.toString(platforms.size()), 1L, Long::sum);
                List<String> sorted = new ArrayList<>(platforms);
                for (int i = 0; i < sorted.size(); i++) {
                    for (int j = i + 1; j < sorted.size(); j++) {
                        pairs.merge(sorted.get(i) + "+" + sorted.get(j), 1L, Long::sum);
                    }
                }
            }
            for (String k : List.of("1", "2", "3+")) {
                assertEquals(spread.getOrDefault(k, 0L), takeUp[0].path("byPlatformCount").path(k).asLong(), "linked on " + k);
            }
            Map<String, Long> shownPairs = new TreeMap<>();
            takeUp[0].path("pairs").fields().forEachRemaining(e -> shownPairs.put(e.getKey(), e.getValue().asLong()));
            assertEquals(pairs, shownPairs, "customers consented on both of each pair");
            String metrics = get(first.url() + "/metrics", null).body();
            assertTrue(metrics.contains("socialcrm_consent_take_up_by_platforms{platforms=\"2\"} " + spread.getOrDefault("2", 0L)), metrics);

            first.close();
            Set<String> served = new LinkedHashSet<>();
            await("the survivor serving every customer").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        for (String customer : customers) {
                            if (served.contains(customer)) {
                                continue;
                            }
                            HttpResponse<String> response = get(second.url() + "/customers/" + customer, TOKEN);
                            if (response.statusCode() != 200) {
                                assertEquals(503, response.statusCode(), "while rebalancing: " + response.body());
                                assertTrue(response.headers().firstValue("Retry-After").isPresent());
                                return false;
                            }
                            served.add(customer);
                        }
                        return true;
                    });
            assertEquals(customers.size(), served.size(), "the survivor serves every customer");
        } finally {
            first.close();
        }
    }

    @Test
    void inputAndTokenChecks(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        Settings settings = TestServices.settings(stack, "api-app", "api.", dir, Map.of("http.token", TOKEN));
        try (Service service = Service.start(settings)) {
            service.awaitRunning(Duration.ofMinutes(2));
            String base = service.url();
            assertEquals(200, get(base + "/health", null).statusCode(), "health needs no token");
            assertTrue(get(base + "/metrics", null).body().contains("socialcrm_activities_accepted"), "metrics");
            assertTrue(get(base + "/metrics", null).body().contains("kafka_stream"), "Kafka Streams metrics");

            HttpResponse<String> missing = get(base + "/customers/c1", null);
            assertEquals(401, missing.statusCode());
            assertTrue(missing.body().contains("Authorization: Bearer"), missing.body());
            assertTrue(missing.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            HttpResponse<String> wrong = get(base + "/customers/c1", "not-the-token");
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.body().contains("not valid"), wrong.body());
            assertEquals(401, get(base + "/influencers/top", null).statusCode());
            assertEquals(401, get(base + "/segments/dormant/members", null).statusCode());

            HttpResponse<String> unknown = get(base + "/customers/nobody-here", TOKEN);
            assertEquals(404, unknown.statusCode());
            assertFalse(unknown.body().contains("Exception"), "no stack trace: " + unknown.body());
            HttpResponse<String> tooLong = get(base + "/customers/" + "x".repeat(300), TOKEN);
            assertEquals(400, tooLong.statusCode());
            assertTrue(tooLong.body().contains("customer id must be 1 to 256 characters"), tooLong.body());
            HttpResponse<String> control = get(base + "/customers/a%00b", TOKEN);
            assertEquals(400, control.statusCode());
            assertTrue(control.body().contains("control characters"), control.body());
            for (String limit : List.of("0", "1001", "ten", "-3")) {
                HttpResponse<String> bad = get(base + "/influencers/top?limit=" + limit, TOKEN);
                assertEquals(400, bad.statusCode(), limit);
                assertTrue(bad.body().contains("parameter 'limit'"), bad.body());
            }
            assertEquals(400, get(base + "/segments/dormant/members?limit=5000", TOKEN).statusCode());
            assertEquals(404, get(base + "/nothing/here", null).statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals(200, get(base + "/influencers/top?limit=3", TOKEN).statusCode());
        }
    }

    private static void produce(LocalStack stack, Topics topics, SchemaRegistryConfig registry, ActivityGenerator generator,
                                int events) {
        try (KafkaSink sink = new KafkaSink(stack.bootstrapServers(), new Properties(), topics, registry)) {
            Instant start = Instant.now().minus(Duration.ofDays(10));
            generator.initial(start, sink);
            for (int i = 0; i < events; i++) {
                generator.next(start.plusSeconds(200L * i), sink);
            }
        }
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            // twice (2026-12-04) an instance's answer hung and its stream thread did not close. A CI report shows the start
            // of a failure's message: open transactions, the clients' warnings and the instances' threads come first
            System.err.println(ThreadDump.of("No answer within 20 s from " + url + "; the threads of this JVM (both instances):"));
            throw new AssertionError("No answer within 20 s from " + url + "\n" + StuckTransactions.of(TestStacks.shared().bootstrapServers())
                    + ThreadDump.pipeline("The instances' stream and HTTP threads:", "qtp", 25), e);
        }
    }

    private static long lagNow(LocalStack stack, Settings settings) {
        String app = settings.string(StreamsConfig.APPLICATION_ID_CONFIG);
        Topics topics = Topics.withPrefix("two.");
        try (Admin admin = stack.admin()) {
            return new Progress(admin, app).applicationLag(List.of(topics.socialActivity.name(), topics.consents.name(),
                    topics.socialProfiles.name()));
        }
    }

    private static String tasks(Service service) {
        return service.pipeline().streams().metadataForLocalThreads().stream()
                .map(t -> t.threadState() + " " + t.activeTasks().stream().map(task -> task.taskId().toString()).sorted().toList())
                .toList().toString();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return PlainJson.MAPPER.readTree(response.body());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
