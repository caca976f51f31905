package io.socialcrm.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.common.AppCounters;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.http.InstanceQueries.DefinitionVersion;
import io.socialcrm.http.InstanceQueries.ShadowComparison;
import io.socialcrm.http.InstanceQueries.ShadowSample;
import io.socialcrm.segments.Segment;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.stack.FreePorts;
import io.socialcrm.testing.SampleRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API without a broker: two instances, each over queries this test answers, so that what
 * the API does itself is seen on its own — status codes, authorisation, relaying a customer to the
 * instance that holds it, merging segments and influencers across instances.
 */
class QueryApiTest {
    private static final String TOKEN = "s3cret-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Instance a = new Instance();
    private final Instance b = new Instance();
    private final AppCounters counters = new AppCounters();
    private QueryApi apiA;
    private QueryApi apiB;

    /** What one instance holds, as its stores would answer. */
    private static final class Instance implements InstanceQueries {
        HostInfo self;
        List<HostInfo> all = List.of();
        boolean running = true;
        RuntimeException failure;
        final Map<String, HostInfo> owners = new TreeMap<>();
        final Map<String, CustomerProfile> profiles = new TreeMap<>();
        final Map<String, Long> counts = new TreeMap<>();
        final List<SegmentMembership> members = new ArrayList<>();
        final List<Influencer> top = new ArrayList<>();
        List<SegmentDefinition> definitions = List.of();
        final List<DefinitionVersion> versions = new ArrayList<>();
        ShadowComparison shadow;

        private void maybeFail() {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public String state() {
            return running ? "RUNNING" : "REBALANCING";
        }

        @Override
        public List<ThreadState> threads() {
            return List.of(new ThreadState("stream-thread-1", "RUNNING", 3, 0));
        }

        @Override
        public Owner owner(String customerId) {
            maybeFail();
            return new Owner(owners.getOrDefault(customerId, self), 0);
        }

        @Override
        public Optional<CustomerProfile> profile(String customerId, int partition) {
            return Optional.ofNullable(profiles.get(customerId));
        }

        @Override
        public List<Influencer> top(int limit) {
            return top.stream().limit(limit).toList();
        }

        @Override
        public List<SegmentMembership> members(String segmentId, String after, int limit) {
            return members.stream().filter(m -> m.getSegmentId().equals(segmentId))
                    .filter(m -> after == null || m.getCustomerId().compareTo(after) > 0).limit(limit).toList();
        }

        @Override
        public Map<String, Long> memberCounts() {
            return counts;
        }

        @Override
        public boolean holdsCustomers() {
            return !definitions.isEmpty();
        }

        @Override
        public List<SegmentDefinition> definitions() {
            return definitions;
        }

        @Override
        public List<DefinitionVersion> versions(String segmentId) {
            return versions.stream().filter(v -> v.definition().getId().equals(segmentId)).toList();
        }

        @Override
        public Optional<ShadowComparison> shadow(String segmentId, int sample) {
            return Optional.ofNullable(shadow);
        }

        @Override
        public List<HostInfo> instances() {
            return all;
        }

        @Override
        public AutoCloseable bindMetrics(MeterRegistry registry) {
            return () -> { };
        }
    }

    @BeforeEach
    void start() throws Exception {
        a.self = new HostInfo("127.0.0.1", FreePorts.next());
        b.self = new HostInfo("127.0.0.1", FreePorts.next());
        a.all = List.of(a.self, b.self);
        b.all = a.all;
        apiA = QueryApi.start(a, counters, "127.0.0.1", a.self.port(), a.self, TOKEN);
        apiB = QueryApi.start(b, new AppCounters(), "127.0.0.1", b.self.port(), b.self, TOKEN);
    }

    @AfterEach
    void stop() {
        apiA.close();
        apiB.close();
    }

    private static HttpResponse<String> get(HostInfo host, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return PlainJson.MAPPER.readTree(response.body());
    }

    private static CustomerProfile profile(String id) {
        CustomerProfile profile = SampleRecords.customerProfile();
        profile.setCustomerId(id);
        return profile;
    }

    @Test
    void aCustomerIsAnsweredByTheInstanceThatHoldsItWhicheverIsAsked() throws Exception {
        b.profiles.put("c-9", profile("c-9"));
        a.owners.put("c-9", b.self);
        HttpResponse<String> relayed = get(a.self, "/customers/c-9", TOKEN);
        assertEquals(200, relayed.statusCode(), relayed.body());
        assertEquals("c-9", json(relayed).path("customerId").asText());

        assertEquals(404, get(b.self, "/customers/nobody", TOKEN).statusCode());
        HttpResponse<String> refused = get(a.self, "/customers/c-9", null);
        assertEquals(401, refused.statusCode(), "the token is required");
        assertTrue(refused.body().contains("Authorization: Bearer"), "the error names what to send: " + refused.body());
        assertEquals(401, get(a.self, "/customers/c-9", "wrong").statusCode());
        assertEquals(400, get(a.self, "/customers/" + "x".repeat(300), TOKEN).statusCode());
    }

    @Test
    void whatCannotBeAnsweredNowSaysWhenToRetry() throws Exception {
        a.failure = new InstanceQueries.NotAvailableException("the owner of this customer is not known yet (rebalancing)");
        HttpResponse<String> busy = get(a.self, "/customers/c-1", TOKEN);
        assertEquals(503, busy.statusCode());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
        assertTrue(json(busy).path("error").asText().contains("rebalancing"), busy.body());

        a.running = false;
        HttpResponse<String> health = get(a.self, "/health", null);
        assertEquals(503, health.statusCode());
        assertEquals("DOWN", json(health).path("status").asText());
        a.running = true;
        health = get(a.self, "/health", null);
        assertEquals(200, health.statusCode());
        assertEquals(3, json(health).path("threads").get(0).path("activeTasks").asInt());
    }

    @Test
    void segmentsAndInfluencersAreMergedAcrossInstances() throws Exception {
        a.definitions = List.of(SampleRecords.segment());
        String segment = SampleRecords.segment().getId();
        a.counts.put(segment, 2L);
        b.counts.put(segment, 3L);
        JsonNode segments = json(get(b.self, "/segments", null));
        assertEquals(1, segments.path("segments").size(), "the definitions come from the instance that holds them");
        assertEquals(5, segments.path("segments").get(0).path("members").asLong(), "members of both instances");

        a.top.add(new InstanceQueries.Influencer("c-a", 10.0, 90, 0.9));
        b.top.add(new InstanceQueries.Influencer("c-b", 20.0, 99, 0.99));
        b.top.add(new InstanceQueries.Influencer("c-c", 1.0, 10, 0.1));
        JsonNode top = json(get(a.self, "/influencers/top?limit=2", TOKEN));
        assertEquals(List.of("c-b", "c-a"), List.of(top.path("influencers").get(0).path("customerId").asText(),
                top.path("influencers").get(1).path("customerId").asText()), top.toString());
        assertEquals(2, top.path("influencers").size());

        for (String id : List.of("m3", "m1", "m2")) {
            (id.equals("m2") ? b : a).members.add(new SegmentMembership(segment, id, Instant.EPOCH, "why", 1));
        }
        JsonNode page = json(get(a.self, "/segments/" + segment + "/members?limit=2", TOKEN));
        assertEquals("m1", page.path("members").get(0).path("customerId").asText());
        assertEquals("m2", page.path("members").get(1).path("customerId").asText());
        assertEquals("m2", page.path("next").asText());
        JsonNode rest = json(get(a.self, "/segments/" + segment + "/members?limit=2&after=m2", TOKEN));
        assertEquals(1, rest.path("members").size());
        assertTrue(rest.path("next").isNull());
    }

    @Test
    void aSegmentsVersionsComeFromAnInstanceThatHoldsThemWhicheverIsAsked() throws Exception {
        SegmentDefinition v1 = SampleRecords.segment();
        SegmentDefinition v2 = SegmentDefinition.newBuilder(v1).setVersion(v1.getVersion() + 1).setMinDwell("7d").build();
        a.definitions = List.of(v2);
        a.versions.add(new DefinitionVersion(v1, 1_000L));
        a.versions.add(new DefinitionVersion(v2, 2_000L));
        for (HostInfo asked : List.of(a.self, b.self)) {
            JsonNode body = json(get(asked, "/segments/" + v1.getId() + "/versions", null));
            assertEquals(v1.getId(), body.path("id").asText());
            assertEquals(v2.getVersion(), body.path("inForce").asInt(), "the version in force");
            assertEquals(List.of(v1.getVersion(), v2.getVersion()),
                    List.of(body.path("versions").get(0).path("version").asInt(), body.path("versions").get(1).path("version").asInt()));
            assertEquals("1970-01-01T00:00:02Z", body.path("versions").get(1).path("acceptedAt").asText());
            assertEquals("7d", body.path("versions").get(1).path("definition").path("minDwell").asText());
            assertEquals(v1.getEnterWhen(), body.path("versions").get(0).path("definition").path("enterWhen").asText());
        }
        a.definitions = List.of(SegmentDefinition.newBuilder(v1).setId("something-else").build(),
                SegmentDefinition.newBuilder(v2).setVersion(v2.getVersion() + 1).setMode(Segment.SHADOW).build());
        assertTrue(json(get(b.self, "/segments/" + v1.getId() + "/versions", null)).path("inForce").isNull(),
                "deleted: its versions stay, none is in force (a shadow is not in force)");
        HttpResponse<String> unknown = get(b.self, "/segments/never-defined/versions", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("segment 'never-defined' has no versions: it was never defined", PlainJson.MAPPER.readTree(unknown.body()).path("error").asText());
    }

    @Test
    void aShadowComparisonAddsUpEveryInstanceAndNeedsTheToken() throws Exception {
        a.definitions = List.of(SampleRecords.segment());
        b.definitions = List.of(SampleRecords.segment());
        a.shadow = new ShadowComparison(4, 3, 2, 1, 10, List.of(new ShadowSample("c9", "enterWhen (x) is true: x=2"),
                new ShadowSample("c2", "enterWhen (x) is true: x=3")), List.of(new ShadowSample("c5", "does not hold: x=0")));
        b.shadow = new ShadowComparison(4, 3, 1, 0, 5, List.of(new ShadowSample("c1", "enterWhen (x) is true: x=9")), List.of());
        String path = "/segments/" + SampleRecords.segment().getId() + "/shadow?sample=2";
        assertEquals(401, get(b.self, path, null).statusCode(), "customer ids: the token is needed");
        JsonNode body = json(get(b.self, path, TOKEN));
        assertEquals(4, body.path("shadowVersion").asInt());
        assertEquals(3, body.path("liveVersion").asInt());
        assertEquals(List.of(3L, 1L, 15L), List.of(body.path("wouldEnter").asLong(), body.path("wouldLeave").asLong(),
                body.path("wouldStay").asLong()));
        assertEquals(List.of("c1", "c2"), List.of(body.path("entering").get(0).path("customerId").asText(),
                body.path("entering").get(1).path("customerId").asText()), "both instances' samples, by id, at most 2");
        assertEquals("does not hold: x=0", body.path("leaving").get(0).path("reason").asText());
        a.shadow = null;
        b.shadow = null;
        assertEquals(404, get(a.self, path, TOKEN).statusCode());
        assertEquals(400, get(a.self, path.replace("sample=2", "sample=101"), TOKEN).statusCode());
    }

    @Test
    void badRequestsAreNamedAndCountersAreShown() throws Exception {
        for (String limit : List.of("0", "1001", "ten")) {
            HttpResponse<String> bad = get(a.self, "/influencers/top?limit=" + limit, TOKEN);
            assertEquals(400, bad.statusCode(), limit);
            assertTrue(json(bad).path("error").asText().contains("parameter 'limit'"), bad.body());
        }
        assertEquals(404, get(a.self, "/nothing/here", null).statusCode());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        counters.increment(Counter.ACTIVITIES_ACCEPTED);
        counters.increment(Counter.ACTIVITIES_ACCEPTED);
        String metrics = get(a.self, "/metrics", null).body();
        assertTrue(metrics.contains("socialcrm_activities_accepted_total 2.0"), metrics);
    }

    @Test
    void theConsoleSignsInOnceWithAnHttpOnlyCookieAndRefusesCrossSiteChanges() throws Exception {
        a.profiles.put("c1", profile("c1"));
        b.owners.put("c1", a.self);
        a.owners.put("c1", a.self);
        URI session = URI.create("http://127.0.0.1:" + a.self.port() + "/session");
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(session).header("Content-Type", "application/json")
                .header("X-Requested-With", "socialcrm").POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"nope\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
        HttpResponse<String> signedIn = HTTP.send(HttpRequest.newBuilder(session).header("Content-Type", "application/json")
                .header("X-Requested-With", "socialcrm").POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + TOKEN + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, signedIn.statusCode(), signedIn.body());
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertTrue(!cookie.contains(TOKEN), "the cookie does not carry the token itself");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> withCookie = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/customers/c1"))
                .header("Cookie", pair).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withCookie.statusCode(), withCookie.body());
        // the same cookie on another instance with the same token (any instance answers)
        HttpResponse<String> onB = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.self.port() + "/customers/c1"))
                .header("Cookie", pair).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, onB.statusCode(), onB.body());
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/customers/c1"))
                .header("Cookie", "socialcrm_session=forged").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, forged.statusCode());
        // a change sent with the cookie needs the page's header, and an origin of this host
        String draft = "{\"id\":\"x\",\"enterWhen\":\"accounts > 0\",\"version\":1}";
        URI publish = URI.create("http://127.0.0.1:" + a.self.port() + "/segments/preview");
        assertEquals(403, HTTP.send(HttpRequest.newBuilder(publish).header("Cookie", pair).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(draft)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(403, HTTP.send(HttpRequest.newBuilder(publish).header("Cookie", pair).header("X-Requested-With", "socialcrm")
                .header("Origin", "http://elsewhere.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(draft)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, HTTP.send(HttpRequest.newBuilder(publish).header("Cookie", pair).header("X-Requested-With", "socialcrm")
                .header("Origin", "http://127.0.0.1:" + a.self.port()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(draft)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> malformed = get(a.self, "/customers/a%00b", TOKEN);
        assertEquals(400, malformed.statusCode());
        assertTrue(malformed.body().contains("control characters") && malformed.body().startsWith("{"), "JSON, not Jetty's page: " + malformed.body());
        HttpResponse<String> page = get(a.self, "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("socialcrm console"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
    }

    @Test
    void theConsolesFilesAndItsChartLibraryAreServedWithTheirTypesAndNothingElseOfTheClasspath() throws Exception {
        Path pages = Path.of("src/main/resources/console");
        List<String> onDisk;
        try (var listing = Files.list(pages)) {
            onDisk = listing.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertEquals(onDisk, ConsoleFiles.PAGES.stream().sorted().toList(), "every page of the console is served, and only those");
        Map<String, String> types = Map.of("html", "text/html", "js", "text/javascript", "css", "text/css");
        for (String page : onDisk) {
            HttpResponse<byte[]> served = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/" + page)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, served.statusCode(), page);
            assertArrayEquals(Files.readAllBytes(pages.resolve(page)), served.body(), page);
            assertTrue(served.headers().firstValue("Content-Type").orElse("").startsWith(types.get(page.substring(page.lastIndexOf('.') + 1))),
                    page + ": " + served.headers().firstValue("Content-Type"));
            // unchanged since the browser's copy: 304, no body
            String etag = served.headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/" + page))
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(304, again.statusCode(), page);
            assertEquals("", again.body());
            // HEAD: the same headers, no body
            HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/" + page))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode(), page);
            assertEquals("", head.body());
            assertEquals(served.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"), page);
            assertEquals(Optional.of(etag), head.headers().firstValue("ETag"), page);
            assertEquals(Optional.of(Integer.toString(served.body().length)), head.headers().firstValue("Content-Length"), page);
        }
        // the chart library the page names, from its webjar
        String index = get(a.self, "/", null).body();
        Matcher script = Pattern.compile("src=\"(/webjars/[^\"]+)\"").matcher(index);
        assertTrue(script.find(), index);
        HttpResponse<String> library = get(a.self, script.group(1), null);
        assertEquals(200, library.statusCode(), script.group(1));
        assertTrue(library.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(library.body().contains("uPlot"), "the library itself");
        // nothing else of the classpath: not a class, not a directory, not a path that climbs out of the webjars
        for (String path : List.of("/webjars/uplot/1.6.30/dist", "/webjars/../../io/socialcrm/http/QueryApi.class", "/webjars/%2e%2e/x.js",
                "/webjars/uplot/1.6.30/dist/..%2f..%2f..%2fconsole%2findex.html", "/console/index.html", "/nothing.js")) {
            HttpResponse<String> refused = get(a.self, path, null);
            // 404, or 400 where Jetty refuses a path that climbs above the root before any route sees it
            assertTrue(refused.statusCode() == 404 || refused.statusCode() == 400, path + ": " + refused.statusCode() + " " + refused.body());
            assertTrue(refused.body().startsWith("{"), path + ": " + refused.body());
        }
    }

    @Test
    void aDraftRuleIsCheckedWithTheTopologysCompilerAndItsErrorsNameTheField() throws Exception {
        URI check = URI.create("http://127.0.0.1:" + a.self.port() + "/segments/check");
        HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(check).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"enterWhen\":\"influence.score >\",\"exitWhen\":\"nosuch > 1\",\"version\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, bad.statusCode(), bad.body());
        JsonNode answer = PlainJson.MAPPER.readTree(bad.body());
        assertEquals(false, answer.path("valid").asBoolean());
        assertEquals("enterWhen", answer.path("errors").get(0).path("field").asText());
        assertTrue(answer.path("errors").get(0).path("message").asText().contains("does not compile"), answer.toString());
        assertEquals("exitWhen", answer.path("errors").get(1).path("field").asText());
        assertTrue(answer.path("errors").get(1).path("message").asText().contains("nosuch"), answer.toString());
        HttpResponse<String> good = HTTP.send(HttpRequest.newBuilder(check).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"enterWhen\":\"influence.score > 50.0\",\"version\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(true, PlainJson.MAPPER.readTree(good.body()).path("valid").asBoolean(), good.body());
        assertEquals(400, HTTP.send(HttpRequest.newBuilder(check).POST(HttpRequest.BodyPublishers.ofString("not json")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        // without a connection to Kafka, publishing says so instead of failing
        HttpResponse<String> publish = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.self.port() + "/segments"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"enterWhen\":\"true\",\"version\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, publish.statusCode(), publish.body());
    }
}
