package io.socialcrm.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.common.AppCounters;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.segments.Segment;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP query API of one instance (JDK HTTP server, JSON bodies). Any instance answers for any
 * key: a customer is read from the instance that holds its partition (found with the Streams
 * metadata of {@code application.server}); lists are gathered from every instance and merged in a
 * stable order. Paths:
 * <ul>
 *   <li>{@code GET /customers/{id}} — the customer's profile (404 if unknown)</li>
 *   <li>{@code GET /segments} — definitions in force and member counts</li>
 *   <li>{@code GET /segments/{id}/members?limit=100&after=} — members by customer id, with a cursor</li>
 *   <li>{@code GET /segments/{id}/versions} — every accepted version of the definition, oldest first, and the one in force</li>
 *   <li>{@code GET /segments/{id}/shadow?sample=10} — a SHADOW definition against the live one: who would enter and leave</li>
 *   <li>{@code GET /influencers/top?limit=10} — the most influential customers</li>
 *   <li>{@code GET /health} — 200 when RUNNING, else 503 with the Streams state</li>
 *   <li>{@code GET /metrics} — Prometheus text: Kafka Streams' metrics and the application's</li>
 * </ul>
 * With a token set, the paths that return personal data (customers, members, influencers) need
 * {@code Authorization: Bearer <token>}. Errors are JSON {@code {"error": ..., "status": ...}}:
 * 400 naming the bad parameter, 401, 404, 503 with {@code Retry-After} while rebalancing; never a
 * stack trace.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_LIMIT = 1000;

    private final InstanceQueries queries;
    private final HostInfo self;
    private final byte[] token;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient peers;
    private final PrometheusMeterRegistry meters;
    private final AutoCloseable streamsMetrics;

    private QueryApi(InstanceQueries queries, AppCounters counters, HostInfo self, String token, HttpServer server) {
        this.queries = queries;
        this.self = self;
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.server = server;
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "socialcrm-http");
            t.setDaemon(true);
            return t;
        });
        this.peers = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.streamsMetrics = queries.bindMetrics(meters);
        for (Counter counter : Counter.values()) {
            FunctionCounter.builder(counter.metricName(), counters, c -> c.get(counter))
                    .description(counter.description()).register(meters);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /**
     * Starts the API on {@code bindHost:port} (port 0: any free port). {@code advertised} is how
     * other instances reach this one; it must equal this instance's {@code application.server}.
     */
    public static QueryApi start(KafkaStreams streams, TopologySettings settings, String bindHost, int port,
                                 HostInfo advertised, String token) throws IOException {
        return start(new LocalQueries(streams, settings), settings.counters(), bindHost, port, advertised, token);
    }

    /** Starts the API over any {@link InstanceQueries} (the tests' own, for one). */
    public static QueryApi start(InstanceQueries queries, AppCounters counters, String bindHost, int port,
                                 HostInfo advertised, String token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindHost, port), 64);
        QueryApi api = new QueryApi(queries, counters, advertised, token, server);
        server.start();
        LOG.info("HTTP API listening on {}:{} (advertised as {}:{})", bindHost, server.getAddress().getPort(),
                advertised.host(), advertised.port());
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            streamsMetrics.close();
        } catch (Exception e) {
            LOG.warn("Could not unregister the Kafka Streams metrics", e);
        }
        meters.close();
    }

    // ---- dispatch --------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        String endpoint = "?";
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                throw new ApiError(405, "only GET is supported");
            }
            List<String> path = segments(exchange.getRequestURI());
            Map<String, String> params = params(exchange.getRequestURI());
            boolean local = "local".equals(params.get("scope"));
            if (path.equals(List.of("health"))) {
                endpoint = "/health";
                health(exchange);
            } else if (path.equals(List.of("metrics"))) {
                endpoint = "/metrics";
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape().getBytes(StandardCharsets.UTF_8));
            } else if (path.size() == 2 && path.get(0).equals("customers")) {
                endpoint = "/customers/{id}";
                authorize(exchange);
                customer(exchange, id(path.get(1), "customer id"), local);
            } else if (path.equals(List.of("segments"))) {
                endpoint = "/segments";
                segments(exchange, local);
            } else if (path.size() == 3 && path.get(0).equals("segments") && path.get(2).equals("members")) {
                endpoint = "/segments/{id}/members";
                authorize(exchange);
                members(exchange, id(path.get(1), "segment id"), params, local);
            } else if (path.size() == 3 && path.get(0).equals("segments") && path.get(2).equals("versions")) {
                endpoint = "/segments/{id}/versions";
                versions(exchange, id(path.get(1), "segment id"), local);
            } else if (path.size() == 3 && path.get(0).equals("segments") && path.get(2).equals("shadow")) {
                endpoint = "/segments/{id}/shadow";
                authorize(exchange);
                shadow(exchange, id(path.get(1), "segment id"), limit(params, "sample", 10, 100), local);
            } else if (path.equals(List.of("influencers", "top"))) {
                endpoint = "/influencers/top";
                authorize(exchange);
                top(exchange, limit(params, 10, LocalQueries.TOP_MAX), local);
            } else {
                throw new ApiError(404, "no such path; see GET /health, /metrics, /customers/{id}, /segments, "
                        + "/segments/{id}/members, /segments/{id}/versions, /segments/{id}/shadow, /influencers/top");
            }
        } catch (ApiError e) {
            error(exchange, e.status, e.getMessage());
        } catch (InstanceQueries.NotAvailableException e) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            error(exchange, 503, "not available now: " + e.getMessage() + "; retry shortly");
        } catch (RuntimeException | IOException e) {
            LOG.error("HTTP {} failed", endpoint, e);
            error(exchange, 500, "internal error");
        } finally {
            // closed only here: a try-with-resources would close it before the error responses are sent
            exchange.close();
        }
    }

    // ---- endpoints ---------------------------------------------------------------------------

    private void health(HttpExchange exchange) throws IOException {
        String state = queries.state();
        boolean running = KafkaStreams.State.RUNNING.name().equals(state);
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("status", running ? "UP" : "DOWN");
        body.put("streams", state);
        body.put("instance", self.host() + ":" + self.port());
        ArrayNode threads = body.putArray("threads");
        queries.threads().forEach(t -> threads.addObject().put("name", t.name()).put("state", t.state())
                .put("activeTasks", t.activeTasks()).put("standbyTasks", t.standbyTasks()));
        if (!running) {
            exchange.getResponseHeaders().add("Retry-After", "1");
        }
        json(exchange, running ? 200 : 503, body);
    }

    private void customer(HttpExchange exchange, String id, boolean local) throws IOException {
        InstanceQueries.Owner owner = queries.owner(id);
        if (!local && !owner.host().equals(self)) {
            relay(exchange, owner.host(), "/customers/" + encode(id) + "?scope=local");
            return;
        }
        Optional<CustomerProfile> profile = queries.profile(id, owner.partition());
        if (profile.isEmpty()) {
            throw new ApiError(404, "no customer with this id (never consented, erased, or merged into another)");
        }
        json(exchange, 200, PlainJson.write(profile.get()));
    }

    private void segments(HttpExchange exchange, boolean local) throws IOException {
        Map<String, Long> counts = new TreeMap<>(queries.memberCounts());
        List<SegmentDefinition> definitions = queries.holdsCustomers() ? queries.definitions() : List.of();
        ArrayNode remoteDefinitions = null;
        JsonNode remoteShadows = PlainJson.MAPPER.createArrayNode();
        if (!local) {
            for (JsonNode peer : gather("/segments?scope=local")) {
                peer.path("counts").fields().forEachRemaining(e -> counts.merge(e.getKey(), e.getValue().asLong(), Long::sum));
                if (definitions.isEmpty() && remoteDefinitions == null && peer.path("segments").size() + peer.path("shadows").size() > 0) {
                    remoteDefinitions = (ArrayNode) peer.path("segments");
                    remoteShadows = peer.path("shadows");
                }
            }
        }
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("segments");
        ArrayNode shadows = body.putArray("shadows");
        if (remoteDefinitions != null) {
            remoteDefinitions.forEach(d -> list.add(((ObjectNode) d.deepCopy()).put("members", counts.getOrDefault(d.path("id").asText(), 0L))));
            remoteShadows.forEach(shadows::add);
        } else {
            definitions.stream().sorted((a, b) -> a.getId().compareTo(b.getId())).forEach(d -> {
                if (Segment.isShadow(d)) {
                    shadows.add(PlainJson.write(d));
                } else {
                    list.add(PlainJson.write(d).put("members", counts.getOrDefault(d.getId(), 0L)));
                }
            });
        }
        if (local) {
            ObjectNode c = body.putObject("counts");
            queries.memberCounts().forEach(c::put);
        }
        json(exchange, 200, body);
    }

    /**
     * Every accepted version of a segment's definition, oldest first, with when each was accepted and
     * which is in force (null once the segment is deleted). Any instance that holds a customer
     * partition holds them all; one that holds none asks the others.
     */
    private void versions(HttpExchange exchange, String segmentId, boolean local) throws IOException {
        boolean holds = queries.holdsCustomers();
        List<InstanceQueries.DefinitionVersion> held = holds ? queries.versions(segmentId) : List.of();
        if (!holds && !local) {
            for (JsonNode peer : gather("/segments/" + encode(segmentId) + "/versions?scope=local")) {
                if (peer.path("versions").size() > 0) {
                    json(exchange, 200, (ObjectNode) peer);
                    return;
                }
            }
        }
        if (held.isEmpty() && !local) {
            throw new ApiError(404, "segment '" + segmentId + "' has no versions: it was never defined");
        }
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("id", segmentId);
        Integer inForce = holds ? queries.definitions().stream().filter(d -> d.getId().equals(segmentId) && !Segment.isShadow(d))
                .map(SegmentDefinition::getVersion).findFirst().orElse(null) : null;
        if (inForce == null) {
            body.putNull("inForce");
        } else {
            body.put("inForce", inForce);
        }
        ArrayNode list = body.putArray("versions");
        for (InstanceQueries.DefinitionVersion v : held) {
            ObjectNode entry = list.addObject();
            entry.put("version", v.definition().getVersion());
            entry.put("acceptedAt", Instant.ofEpochMilli(v.acceptedAt()).toString());
            entry.set("definition", PlainJson.write(v.definition()));
        }
        json(exchange, 200, body);
    }

    /**
     * A SHADOW definition against the live one of the same id: the counts of every instance added up,
     * the samples merged by customer id. 404 when no instance holds a SHADOW definition for it.
     */
    private void shadow(HttpExchange exchange, String segmentId, int sample, boolean local) throws IOException {
        Optional<InstanceQueries.ShadowComparison> mine = queries.holdsCustomers() ? queries.shadow(segmentId, sample) : Optional.empty();
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("id", segmentId);
        long[] counts = new long[3];
        Map<String, String> entering = new TreeMap<>();
        Map<String, String> leaving = new TreeMap<>();
        JsonNode versions = null;
        if (mine.isPresent()) {
            InstanceQueries.ShadowComparison c = mine.get();
            versions = PlainJson.MAPPER.createObjectNode().put("shadowVersion", c.shadowVersion())
                    .set("liveVersion", c.liveVersion() == null ? null : PlainJson.MAPPER.getNodeFactory().numberNode(c.liveVersion()));
            counts[0] += c.wouldEnter();
            counts[1] += c.wouldLeave();
            counts[2] += c.wouldStay();
            c.entering().forEach(x -> entering.put(x.customerId(), x.reason()));
            c.leaving().forEach(x -> leaving.put(x.customerId(), x.reason()));
        }
        if (!local) {
            for (JsonNode peer : gather("/segments/" + encode(segmentId) + "/shadow?scope=local&sample=" + sample)) {
                if (peer.path("shadowVersion").isNull() || peer.path("shadowVersion").isMissingNode()) {
                    continue;
                }
                if (versions == null) {
                    versions = peer;
                }
                counts[0] += peer.path("wouldEnter").asLong();
                counts[1] += peer.path("wouldLeave").asLong();
                counts[2] += peer.path("wouldStay").asLong();
                peer.path("entering").forEach(x -> entering.put(x.path("customerId").asText(), x.path("reason").asText()));
                peer.path("leaving").forEach(x -> leaving.put(x.path("customerId").asText(), x.path("reason").asText()));
            }
            if (versions == null) {
                throw new ApiError(404, "segment '" + segmentId + "' has no SHADOW definition");
            }
        }
        if (versions == null) {
            body.putNull("shadowVersion");
            json(exchange, 200, body);
            return;
        }
        body.set("shadowVersion", versions.path("shadowVersion"));
        body.set("liveVersion", versions.path("liveVersion").isMissingNode() ? null : versions.path("liveVersion"));
        body.put("wouldEnter", counts[0]);
        body.put("wouldLeave", counts[1]);
        body.put("wouldStay", counts[2]);
        ArrayNode in = body.putArray("entering");
        entering.entrySet().stream().limit(sample).forEach(e -> in.addObject().put("customerId", e.getKey()).put("reason", e.getValue()));
        ArrayNode out = body.putArray("leaving");
        leaving.entrySet().stream().limit(sample).forEach(e -> out.addObject().put("customerId", e.getKey()).put("reason", e.getValue()));
        json(exchange, 200, body);
    }

    private void members(HttpExchange exchange, String segmentId, Map<String, String> params, boolean local) throws IOException {
        int limit = limit(params, 100, MAX_LIMIT);
        String after = params.get("after");
        if (after != null) {
            id(after, "parameter 'after'");
        }
        List<SegmentMembership> members = new ArrayList<>(queries.members(segmentId, after, limit));
        if (!local) {
            String query = "/segments/" + encode(segmentId) + "/members?scope=local&limit=" + limit
                    + (after == null ? "" : "&after=" + encode(after));
            for (JsonNode peer : gather(query)) {
                for (JsonNode m : peer.path("members")) {
                    members.add(PlainJson.read(m, SegmentMembership.class));
                }
            }
        }
        List<SegmentMembership> page = LocalQueries.sortMembers(members, limit);
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("segment", segmentId);
        ArrayNode list = body.putArray("members");
        page.forEach(m -> list.add(PlainJson.write(m)));
        if (page.size() == limit) {
            body.put("next", page.get(page.size() - 1).getCustomerId());
        } else {
            body.putNull("next");
        }
        json(exchange, 200, body);
    }

    private void top(HttpExchange exchange, int limit, boolean local) throws IOException {
        List<InstanceQueries.Influencer> all = new ArrayList<>(queries.top(limit));
        if (!local) {
            for (JsonNode peer : gather("/influencers/top?scope=local&limit=" + limit)) {
                for (JsonNode i : peer.path("influencers")) {
                    all.add(new InstanceQueries.Influencer(i.path("customerId").asText(), i.path("raw").asDouble(),
                            i.path("score").asDouble(), i.path("percentile").asDouble()));
                }
            }
        }
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("influencers");
        LocalQueries.sortAndLimit(all, limit).forEach(i -> list.addObject().put("customerId", i.customerId())
                .put("score", i.score()).put("percentile", i.percentile()).put("raw", i.raw()));
        json(exchange, 200, body);
    }

    // ---- other instances ---------------------------------------------------------------------

    /** The answers of every other instance to a local-scope request. */
    private List<JsonNode> gather(String pathAndQuery) {
        List<JsonNode> answers = new ArrayList<>();
        for (HostInfo host : queries.instances()) {
            if (host.equals(self) || host.port() < 0) {
                continue;
            }
            HttpResponse<byte[]> response = call(host, pathAndQuery);
            if (response.statusCode() != 200) {
                throw new InstanceQueries.NotAvailableException("instance " + host.host() + ":" + host.port()
                        + " answered " + response.statusCode());
            }
            try {
                answers.add(PlainJson.MAPPER.readTree(response.body()));
            } catch (IOException e) {
                throw new InstanceQueries.NotAvailableException("instance " + host.host() + ":" + host.port()
                        + " sent an unreadable answer");
            }
        }
        return answers;
    }

    private void relay(HttpExchange exchange, HostInfo host, String pathAndQuery) throws IOException {
        HttpResponse<byte[]> response = call(host, pathAndQuery);
        response.headers().firstValue("Retry-After").ifPresent(v -> exchange.getResponseHeaders().add("Retry-After", v));
        respond(exchange, response.statusCode(), "application/json", response.body());
    }

    private HttpResponse<byte[]> call(HostInfo host, String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + new String(token, StandardCharsets.UTF_8));
        }
        try {
            return peers.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new InstanceQueries.NotAvailableException("instance " + host.host() + ":" + host.port() + " did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstanceQueries.NotAvailableException("interrupted");
        }
    }

    // ---- request parsing and responses ------------------------------------------------------

    private void authorize(HttpExchange exchange) {
        if (token == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"socialcrm\"");
            throw new ApiError(401, header == null ? "this path returns personal data: send Authorization: Bearer <token>"
                    : "the bearer token is not valid");
        }
    }

    private static String id(String raw, String what) {
        if (raw.isEmpty() || raw.length() > MAX_ID_LENGTH) {
            throw new ApiError(400, what + " must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            if (Character.isISOControl(raw.charAt(i))) {
                throw new ApiError(400, what + " must not contain control characters");
            }
        }
        return raw;
    }

    private static int limit(Map<String, String> params, int dflt, int max) {
        return limit(params, "limit", dflt, max);
    }

    private static int limit(Map<String, String> params, String name, int dflt, int max) {
        String raw = params.get(name);
        if (raw == null) {
            return dflt;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new ApiError(400, "parameter '" + name + "' must be a whole number from 1 to " + max);
    }

    private static List<String> segments(URI uri) {
        String raw = uri.getRawPath();
        List<String> parts = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (!part.isEmpty()) {
                try {
                    parts.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new ApiError(400, "the path is not validly encoded");
                }
            }
        }
        return parts;
    }

    private static Map<String, String> params(URI uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query == null) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(key, value);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "the query string is not validly encoded");
            }
        }
        return params;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        respond(exchange, status, "application/json", PlainJson.MAPPER.writeValueAsBytes(body));
    }

    private static void error(HttpExchange exchange, int status, String message) {
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("error", message);
        body.put("status", status);
        try {
            respond(exchange, status, "application/json", PlainJson.MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            LOG.debug("Could not send an error response: {}", e.toString());
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** An error the client can act on: its status and a message that names what to fix. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
