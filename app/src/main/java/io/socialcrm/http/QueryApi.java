package io.socialcrm.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.common.AppCounters;
import io.socialcrm.common.AppCounters.Counter;
import io.socialcrm.common.TopologySettings;
import io.socialcrm.segments.InvalidRuleException;
import io.socialcrm.segments.Segment;
import io.socialcrm.segments.SegmentLanguage;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and the marketer's console of one instance (Javalin on Jetty; JSON bodies). Any
 * instance answers for any key: a customer is read from the instance that holds its partition
 * (found with the Streams metadata of {@code application.server}); lists are gathered from every
 * instance and merged in a stable order. Paths:
 * <ul>
 *   <li>{@code GET /} — the console (static pages from the jar, {@link ConsoleFiles}; the README's "The marketer's console")</li>
 *   <li>{@code GET /customers/{id}} — the customer's profile (404 if unknown)</li>
 *   <li>{@code GET /customers/{id}/export} — the customer's access report: everything held about them (JSON to download)</li>
 *   <li>{@code GET /customers/{id}/explain} — the profile and why: memberships with reasons, influence by counter, hour-of-week activity</li>
 *   <li>{@code GET /segments} — definitions in force and member counts</li>
 *   <li>{@code GET /segments/stats} — entries and exits in the last hour and day, size over the last day, per segment</li>
 *   <li>{@code GET /segments/variables} — what a rule can use</li>
 *   <li>{@code POST /segments/check} — type-checks a draft definition; {@code POST /segments/preview} — who it would hold now;
 *       {@code POST /segments} — publishes it as the next version</li>
 *   <li>{@code GET /segments/{id}/members?limit=100&after=} — members by customer id, with a cursor</li>
 *   <li>{@code GET /segments/{id}/versions} — every accepted version of the definition, oldest first, and the one in force</li>
 *   <li>{@code GET /segments/{id}/shadow?sample=10} — a SHADOW definition against the live one: who would enter and leave</li>
 *   <li>{@code GET /changes/recent}, {@code GET /changes/stream} (server-sent events) — segment changes as they happen</li>
 *   <li>{@code GET /consents/take-up} — customers linked on 1, 2, 3+ platforms, per platform and per pair of platforms</li>
 *   <li>{@code GET /influencers/top?limit=10} — the most influential customers</li>
 *   <li>{@code GET /session}, {@code POST /session}, {@code DELETE /session} — the console's sign-in with the token</li>
 *   <li>{@code GET /health} — 200 when RUNNING, else 503 with the Streams state</li>
 *   <li>{@code GET /metrics} — Prometheus text: Kafka Streams' metrics and the application's</li>
 * </ul>
 * With a token set, the paths that return personal data (customers, members, influencers, changes,
 * previews) and publishing need {@code Authorization: Bearer <token>} or the console's session
 * cookie (HttpOnly, SameSite=Strict, an HMAC of the token: any instance with the same token
 * accepts it). A request that changes something and is not sent with the bearer header must carry
 * {@code X-Requested-With: socialcrm} and, if it names an origin, come from this host: a page of
 * another site can neither read nor publish. Every response carries a Content-Security-Policy
 * (this origin only) and {@code X-Content-Type-Options: nosniff}. Errors are JSON
 * {@code {"error": ..., "status": ...}}: 400 naming the bad parameter, 401, 403, 404, 409, 503 with
 * {@code Retry-After} while rebalancing; never a stack trace.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_LIMIT = 1000;
    private static final int MAX_BODY = 64 * 1024;
    static final String SESSION_COOKIE = "socialcrm_session";
    static final String CSRF_HEADER = "X-Requested-With";
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final InstanceQueries queries;
    private final ConsoleBackend backend;
    private final HostInfo self;
    private final byte[] token;
    private final String session;
    private final Javalin server;
    private final HttpClient peers;
    private final PrometheusMeterRegistry meters;
    private final AutoCloseable streamsMetrics;
    private final Set<String> gauges = ConcurrentHashMap.newKeySet();

    private QueryApi(InstanceQueries queries, AppCounters counters, HostInfo self, String token, ConsoleBackend backend) {
        this.queries = queries;
        this.backend = backend;
        this.self = self;
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.session = this.token == null ? null : sessionValue(this.token);
        this.peers = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.streamsMetrics = queries.bindMetrics(meters);
        for (Counter counter : Counter.values()) {
            FunctionCounter.builder(counter.metricName(), counters, c -> c.get(counter))
                    .description(counter.description()).register(meters);
        }
        this.server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.compressionStrategy = CompressionStrategy.GZIP;
            config.http.maxRequestSize = MAX_BODY;
            config.http.prefer405over404 = true;
            // what Jetty refuses before any route sees it (a %00 in the path, a malformed request) is answered in the API's format too
            config.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrors()));
            routes(config.routes);
        });
    }

    private void routes(io.javalin.config.RoutesConfig r) {
        r.before(ctx -> {
            ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Referrer-Policy", "no-referrer");
            ctx.header("X-Frame-Options", "DENY");
            if (!"GET".equals(ctx.method().name()) && !"HEAD".equals(ctx.method().name())) {
                guardAgainstCrossSite(ctx);
            }
        });
        new ConsoleFiles(QueryApi.class.getClassLoader()).routes(r);
        r.get("/health", this::health);
        r.get("/metrics", ctx -> {
            takeUpGauges();
            respond(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape().getBytes(StandardCharsets.UTF_8));
        });
        r.get("/session", this::sessionState);
        r.post("/session", this::signIn);
        r.delete("/session", this::signOut);
        r.get("/customers/{id}", ctx -> {
            authorize(ctx);
            customer(ctx, id(ctx.pathParam("id"), "customer id"), local(ctx));
        });
        r.get("/customers/{id}/export", ctx -> {
            authorize(ctx);
            export(ctx, id(ctx.pathParam("id"), "customer id"), local(ctx));
        });
        r.get("/customers/{id}/explain", ctx -> {
            authorize(ctx);
            explain(ctx, id(ctx.pathParam("id"), "customer id"), local(ctx));
        });
        r.get("/segments", ctx -> segments(ctx, local(ctx)));
        r.post("/segments", ctx -> {
            authorize(ctx);
            publish(ctx);
        });
        r.get("/segments/stats", this::stats);
        r.get("/segments/variables", this::variables);
        r.post("/segments/check", this::check);
        r.post("/segments/preview", ctx -> {
            authorize(ctx);
            preview(ctx, local(ctx));
        });
        r.get("/segments/{id}/members", ctx -> {
            authorize(ctx);
            members(ctx, id(ctx.pathParam("id"), "segment id"), local(ctx));
        });
        r.get("/segments/{id}/versions", ctx -> versions(ctx, id(ctx.pathParam("id"), "segment id"), local(ctx)));
        r.get("/segments/{id}/shadow", ctx -> {
            authorize(ctx);
            shadow(ctx, id(ctx.pathParam("id"), "segment id"), limit(ctx, "sample", 10, 100), local(ctx));
        });
        r.get("/influencers/top", ctx -> {
            authorize(ctx);
            top(ctx, limit(ctx, "limit", 10, LocalQueries.TOP_MAX), local(ctx));
        });
        r.get("/consents/take-up", this::takeUp);
        r.get("/changes/recent", ctx -> {
            authorize(ctx);
            recentChanges(ctx);
        });
        r.before("/changes/stream", this::authorize);
        r.sse("/changes/stream", this::streamChanges);
        r.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        r.exception(InstanceQueries.NotAvailableException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            error(ctx, 503, "not available now: " + e.getMessage() + "; retry shortly");
        });
        r.exception(HttpResponseException.class, (e, ctx) -> {
            int status = e.getStatus();
            error(ctx, status, status == 404 ? "no such path; see GET /health, /metrics, /customers/{id}, /customers/{id}/explain, "
                    + "/segments, /segments/stats, /segments/{id}/members, /segments/{id}/versions, /segments/{id}/shadow, "
                    + "/influencers/top, /changes/recent, /consents/take-up, or the console at /"
                    : status == 405 ? "this method is not supported on " + ctx.path() : e.getMessage());
        });
        r.exception(Exception.class, (e, ctx) -> {
            LOG.error("HTTP {} {} failed", ctx.method(), ctx.endpoint() == null ? "?" : ctx.endpoint().path, e);
            error(ctx, 500, "internal error");
        });
    }

    /**
     * Starts the API on {@code bindHost:port} (port 0: any free port). {@code advertised} is how
     * other instances reach this one; it must equal this instance's {@code application.server}.
     * {@code backend} (may be null) lets the console publish definitions and follow segment changes.
     */
    public static QueryApi start(KafkaStreams streams, TopologySettings settings, String bindHost, int port,
                                 HostInfo advertised, String token, ConsoleBackend backend) throws IOException {
        return start(new LocalQueries(streams, settings), settings.counters(), bindHost, port, advertised, token, backend);
    }

    /** Starts the API over any {@link InstanceQueries} (the tests' own, for one), without a console backend. */
    public static QueryApi start(InstanceQueries queries, AppCounters counters, String bindHost, int port,
                                 HostInfo advertised, String token) throws IOException {
        return start(queries, counters, bindHost, port, advertised, token, null);
    }

    /** Starts the API over any {@link InstanceQueries} and console backend. */
    public static QueryApi start(InstanceQueries queries, AppCounters counters, String bindHost, int port,
                                 HostInfo advertised, String token, ConsoleBackend backend) throws IOException {
        QueryApi api = new QueryApi(queries, counters, advertised, token, backend);
        try {
            api.server.start(bindHost, port);
        } catch (RuntimeException e) {
            api.close();
            throw new IOException("cannot listen on " + bindHost + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("HTTP API and console listening on {}:{} (advertised as {}:{})", bindHost, api.port(),
                advertised.host(), advertised.port());
        return api;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        try {
            streamsMetrics.close();
        } catch (Exception e) {
            LOG.warn("Could not unregister the Kafka Streams metrics", e);
        }
        meters.close();
        if (backend != null) {
            backend.close();
        }
    }

    // ---- endpoints ---------------------------------------------------------------------------

    private void health(Context ctx) {
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
            ctx.header("Retry-After", "1");
        }
        json(ctx, running ? 200 : 503, body);
    }

    private void customer(Context ctx, String id, boolean local) {
        InstanceQueries.Owner owner = queries.owner(id);
        if (!local && !owner.host().equals(self)) {
            relay(ctx, owner.host(), "/customers/" + encode(id) + "?scope=local");
            return;
        }
        Optional<CustomerProfile> profile = queries.profile(id, owner.partition());
        if (profile.isEmpty()) {
            throw new ApiError(404, "no customer with this id (never consented, erased, or merged into another)");
        }
        json(ctx, 200, PlainJson.write(profile.get()));
    }

    private void segments(Context ctx, boolean local) {
        json(ctx, 200, segmentsBody(local));
    }

    /** Definitions in force and member counts: of this instance ({@code local}, with its own counts) or of all. */
    private ObjectNode segmentsBody(boolean local) {
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
        return body;
    }

    /**
     * Every accepted version of a segment's definition, oldest first, with when each was accepted and
     * which is in force (null once the segment is deleted). Any instance that holds a customer
     * partition holds them all; one that holds none asks the others.
     */
    private void versions(Context ctx, String segmentId, boolean local) {
        boolean holds = queries.holdsCustomers();
        List<InstanceQueries.DefinitionVersion> held = holds ? queries.versions(segmentId) : List.of();
        if (!holds && !local) {
            for (JsonNode peer : gather("/segments/" + encode(segmentId) + "/versions?scope=local")) {
                if (peer.path("versions").size() > 0) {
                    json(ctx, 200, (ObjectNode) peer);
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
        json(ctx, 200, body);
    }

    /**
     * A SHADOW definition against the live one of the same id: the counts of every instance added up,
     * the samples merged by customer id. 404 when no instance holds a SHADOW definition for it.
     */
    private void shadow(Context ctx, String segmentId, int sample, boolean local) {
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
            json(ctx, 200, body);
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
        json(ctx, 200, body);
    }

    private void members(Context ctx, String segmentId, boolean local) {
        int limit = limit(ctx, "limit", 100, MAX_LIMIT);
        String after = ctx.queryParam("after");
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
        json(ctx, 200, body);
    }

    private void top(Context ctx, int limit, boolean local) {
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
        json(ctx, 200, body);
    }

    // ---- the console's endpoints ---------------------------------------------------------------

    /** The customer's profile and why (see {@link InstanceQueries#explain}), from the instance that holds it. */
    private void explain(Context ctx, String id, boolean local) {
        InstanceQueries.Owner owner = queries.owner(id);
        if (!local && !owner.host().equals(self)) {
            relay(ctx, owner.host(), "/customers/" + encode(id) + "/explain?scope=local");
            return;
        }
        Optional<ObjectNode> explained = queries.explain(id, owner.partition());
        if (explained.isEmpty()) {
            throw new ApiError(404, "no customer with this id (never consented, erased, or merged into another)");
        }
        json(ctx, 200, explained.get());
    }

    /** The customer's access report, from the instance that holds it: everything held about them, or that nothing is. */
    private void export(Context ctx, String id, boolean local) {
        InstanceQueries.Owner owner = queries.owner(id);
        if (!local && !owner.host().equals(self)) {
            relay(ctx, owner.host(), "/customers/" + encode(id) + "/export?scope=local");
            return;
        }
        ctx.header("Content-Disposition", "attachment; filename=\"socialcrm-access-report.json\"");
        ObjectNode report = queries.export(id, owner.partition());
        if (backend != null && report.path("held").asBoolean()) {
            ObjectNode history = (ObjectNode) report.path("segmentHistory");
            history.set("live", changesOf(backend.history(id, false)));
            history.set("shadow", changesOf(backend.history(id, true)));
        }
        json(ctx, 200, report);
    }

    /** The customer's changes as the access report lists them: segment, change, reason, version, when. */
    private static ArrayNode changesOf(List<SegmentChange> changes) {
        ArrayNode list = PlainJson.MAPPER.createArrayNode();
        for (SegmentChange c : changes) {
            list.addObject().put("segmentId", c.getSegmentId()).put("change", c.getChange().name()).put("reason", c.getReason())
                    .put("definitionVersion", c.getDefinitionVersion()).put("at", c.getAt().toString());
        }
        return list;
    }

    /** What a rule can use: every variable with its type and meaning. */
    private void variables(Context ctx) {
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("variables");
        SegmentLanguage.VARIABLES.values().forEach(v -> list.addObject().put("name", v.name())
                .put("type", v.type().name()).put("doc", v.doc()));
        json(ctx, 200, body);
    }

    /** Type-checks a draft definition with the topology's own compiler; errors name the field at fault. */
    private void check(Context ctx) {
        SegmentDefinition draft = draft(ctx);
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        ArrayNode errors = problems(draft);
        body.put("valid", errors.isEmpty());
        body.set("errors", errors);
        json(ctx, 200, body);
    }

    /** Each problem of a draft as {@code {field, message}}; empty when it would be admitted. */
    static ArrayNode problems(SegmentDefinition draft) {
        ArrayNode errors = PlainJson.MAPPER.createArrayNode();
        try {
            SegmentLanguage.compile(draft.getEnterWhen(), "enterWhen");
        } catch (InvalidRuleException e) {
            errors.addObject().put("field", "enterWhen").put("message", e.getMessage());
        }
        String exitWhen = draft.getExitWhen();
        if (exitWhen != null && !exitWhen.isBlank()) {
            try {
                SegmentLanguage.compile(exitWhen, "exitWhen");
            } catch (InvalidRuleException e) {
                errors.addObject().put("field", "exitWhen").put("message", e.getMessage());
            }
        }
        if (errors.isEmpty()) {
            try {
                Segment.compile(draft);
            } catch (InvalidRuleException e) {
                String message = e.getMessage();
                String field = message.startsWith("segment id") ? "id" : message.contains(" minDwell ") ? "minDwell"
                        : message.contains(" mode ") ? "mode" : "definition";
                errors.addObject().put("field", field).put("message", message);
            }
        }
        return errors;
    }

    /** How many customers a draft definition would hold now, over every instance's customers, and a sample by id. */
    private void preview(Context ctx, boolean local) {
        SegmentDefinition draft = draft(ctx);
        ArrayNode errors = problems(draft);
        if (!errors.isEmpty()) {
            throw new ApiError(400, errors.get(0).path("message").asText());
        }
        int sample = limit(ctx, "sample", 10, 100);
        long members = 0;
        long customers = 0;
        Map<String, String> samples = new TreeMap<>();
        if (queries.holdsCustomers()) {
            InstanceQueries.Preview mine = queries.preview(draft, sample);
            members += mine.members();
            customers += mine.customers();
            mine.sample().forEach(x -> samples.put(x.customerId(), x.reason()));
        }
        if (!local) {
            for (JsonNode peer : gather("/segments/preview?scope=local&sample=" + sample, ctx.bodyAsBytes())) {
                members += peer.path("members").asLong();
                customers += peer.path("customers").asLong();
                peer.path("sample").forEach(x -> samples.put(x.path("customerId").asText(), x.path("reason").asText()));
            }
        }
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("id", draft.getId());
        body.put("members", members);
        body.put("customers", customers);
        ArrayNode list = body.putArray("sample");
        samples.entrySet().stream().limit(sample).forEach(e -> list.addObject().put("customerId", e.getKey()).put("reason", e.getValue()));
        json(ctx, 200, body);
    }

    /**
     * Publishes a draft as the next version: refused (400) if it does not compile, (409) if its version
     * is not above the one in force; written to {@code segment-definitions}, where the topology admits
     * it like any other definition.
     */
    private void publish(Context ctx) {
        if (backend == null) {
            throw new ApiError(503, "this instance cannot publish (no connection to Kafka for the console)");
        }
        SegmentDefinition draft = draft(ctx);
        ArrayNode errors = problems(draft);
        if (!errors.isEmpty()) {
            throw new ApiError(400, errors.get(0).path("message").asText());
        }
        int held = heldVersion(draft.getId(), Segment.isShadow(draft));
        if (draft.getVersion() <= held) {
            throw new ApiError(409, "segment '" + draft.getId() + "' is at version " + held + ": publish version " + (held + 1));
        }
        backend.publish(draft);
        LOG.info("Segment '{}' v{} published from the console", draft.getId(), draft.getVersion());
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("id", draft.getId());
        body.put("version", draft.getVersion());
        body.put("mode", draft.getMode());
        json(ctx, 202, body);
    }

    /** The highest version held of a segment (its live or its SHADOW definition), 0 if none. */
    private int heldVersion(String id, boolean shadow) {
        int held = 0;
        List<SegmentDefinition> definitions = queries.holdsCustomers() ? queries.definitions() : List.of();
        for (SegmentDefinition d : definitions) {
            if (d.getId().equals(id) && Segment.isShadow(d) == shadow) {
                held = Math.max(held, d.getVersion());
            }
        }
        if (!queries.holdsCustomers()) {
            for (JsonNode peer : gather("/segments?scope=local")) {
                for (JsonNode d : peer.path(shadow ? "shadows" : "segments")) {
                    if (d.path("id").asText().equals(id)) {
                        held = Math.max(held, d.path("version").asInt());
                    }
                }
            }
        }
        return held;
    }

    private static SegmentDefinition draft(Context ctx) {
        JsonNode json;
        try {
            json = PlainJson.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new ApiError(400, "the body is not JSON: send a segment definition");
        }
        if (json == null || !json.isObject()) {
            throw new ApiError(400, "the body must be a JSON object: a segment definition");
        }
        ObjectNode filled = ((ObjectNode) json).deepCopy();
        if (!filled.has("mode") || filled.path("mode").isNull()) {
            filled.put("mode", Segment.LIVE);
        }
        if (!filled.has("enabled") || filled.path("enabled").isNull()) {
            filled.put("enabled", true);
        }
        if (!filled.has("campaign") || filled.path("campaign").isNull()) {
            filled.put("campaign", false);
        }
        try {
            return PlainJson.read(filled, SegmentDefinition.class);
        } catch (RuntimeException e) {
            throw new ApiError(400, "not a segment definition: " + e.getMessage());
        }
    }

    /** Entries and exits per segment in the last hour and day, and its size over the last day (from segment-changes). */
    private void stats(Context ctx) {
        ChangeFeed feed = feed();
        Map<String, Long> counts = memberCounts();
        long now = feed.now(System.currentTimeMillis());
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("asOf", Instant.ofEpochMilli(now).toString());
        body.put("caughtUp", feed.caughtUp());
        body.put("bucketMinutes", ChangeFeed.BUCKET_MS / 60_000);
        ArrayNode list = body.putArray("segments");
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            ChangeFeed.Stats s = feed.stats(e.getKey(), e.getValue(), now);
            ObjectNode entry = list.addObject().put("id", e.getKey()).put("members", e.getValue())
                    .put("enteredLastHour", s.enteredLastHour()).put("exitedLastHour", s.exitedLastHour())
                    .put("enteredLastDay", s.enteredLastDay()).put("exitedLastDay", s.exitedLastDay());
            ArrayNode sizes = entry.putArray("sizes");
            s.sizes().forEach(point -> sizes.addArray().add(point[0]).add(point[1]));
        }
        json(ctx, 200, body);
    }

    private ChangeFeed feed() {
        if (backend == null) {
            throw new ApiError(503, "this instance does not follow segment changes (no connection to Kafka for the console)");
        }
        return backend.changes();
    }

    /** Member counts of every live segment in force, over every instance. */
    private Map<String, Long> memberCounts() {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode s : segmentsBody(false).path("segments")) {
            counts.put(s.path("id").asText(), s.path("members").asLong());
        }
        return counts;
    }

    private void recentChanges(Context ctx) {
        int limit = limit(ctx, "limit", 50, ChangeFeed.RECENT);
        String segment = ctx.queryParam("segment");
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("changes");
        feed().recent(segment, limit).forEach(list::add);
        json(ctx, 200, body);
    }

    /** Segment changes as server-sent events ({@code event: change}), from now on; {@code ?segment=} filters. */
    private void streamChanges(SseClient client) {
        ChangeFeed feed;
        try {
            feed = feed();
        } catch (ApiError e) {
            client.sendEvent("error", e.getMessage());
            client.close();
            return;
        }
        String segment = client.ctx().queryParam("segment");
        client.keepAlive();
        Consumer<ObjectNode> listener = change -> {
            if (segment == null || segment.isEmpty() || segment.equals(change.path("segmentId").asText())) {
                client.sendEvent("change", change.toString());
            }
        };
        feed.subscribe(listener);
        client.onClose(() -> feed.unsubscribe(listener));
        client.sendComment("following segment changes");
    }

    /**
     * Cross-platform consent take-up (customers linked on 1, 2, 3+ platforms, per platform and per
     * pair), from {@code consent-take-up}: every instance reads all of it, so it answers alone.
     */
    private void takeUp(Context ctx) {
        if (backend == null) {
            throw new ApiError(503, "this instance does not read consent-take-up (no connection to Kafka for the console)");
        }
        json(ctx, 200, backend.takeUp().toJson());
    }

    /** Registers a gauge for every take-up figure not registered yet (platforms and pairs appear as customers link). */
    private void takeUpGauges() {
        if (backend == null) {
            return;
        }
        TakeUpTotals t = backend.takeUp();
        if (gauges.add("customers")) {
            Gauge.builder("socialcrm_consent_take_up_customers", t, TakeUpTotals::customers)
                    .description("Customers with a consent in force on at least one platform").register(meters);
        }
        for (String k : List.of("1", "2", "3+")) {
            if (gauges.add("count:" + k)) {
                Gauge.builder("socialcrm_consent_take_up_by_platforms", t, x -> x.byPlatformCount().getOrDefault(k, 0L))
                        .tag("platforms", k).description("Customers linked on this many platforms").register(meters);
            }
        }
        for (String p : t.byPlatform().keySet()) {
            if (gauges.add("platform:" + p)) {
                Gauge.builder("socialcrm_consent_take_up_platform", t, x -> x.byPlatform().getOrDefault(p, 0L))
                        .tag("platform", p).description("Customers linked on this platform").register(meters);
            }
        }
        for (String pair : t.pairs().keySet()) {
            if (gauges.add("pair:" + pair)) {
                Gauge.builder("socialcrm_consent_take_up_pair", t, x -> x.pairs().getOrDefault(pair, 0L))
                        .tag("pair", pair).description("Customers linked on both platforms of the pair").register(meters);
            }
        }
    }

    // ---- the console's session ---------------------------------------------------------------

    private void sessionState(Context ctx) {
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("tokenRequired", token != null);
        body.put("signedIn", token == null || authorized(ctx));
        json(ctx, 200, body);
    }

    /** Signs the console in: {@code {"token": ...}} sets the session cookie. */
    private void signIn(Context ctx) {
        if (token == null) {
            ctx.status(204);
            return;
        }
        JsonNode body;
        try {
            body = PlainJson.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new ApiError(400, "send {\"token\": \"...\"}");
        }
        byte[] given = body == null ? new byte[0] : body.path("token").asText("").getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            throw new ApiError(401, "the token is not valid");
        }
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict");
        ctx.header("Cache-Control", "no-store");
        ctx.status(204);
    }

    private void signOut(Context ctx) {
        ctx.header("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        ctx.status(204);
    }

    /** The session cookie's value: an HMAC of a fixed label keyed by the token, so it reveals nothing of it. */
    static String sessionValue(byte[] token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(
                    "socialcrm-console-session-v1".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * A request that changes something must come from this site: with an {@code Origin}, the origin's
     * host must be this request's host; sent with the session cookie (not the bearer header), it must
     * carry {@code X-Requested-With} (a header no cross-site form can set).
     */
    private static void guardAgainstCrossSite(Context ctx) {
        String origin = ctx.header("Origin");
        String host = ctx.header("Host");
        if (origin != null && !origin.equals("null")) {
            String originHost;
            try {
                originHost = URI.create(origin).getRawAuthority();
            } catch (IllegalArgumentException e) {
                originHost = null;
            }
            if (originHost == null || !originHost.equalsIgnoreCase(host)) {
                throw new ApiError(403, "cross-site request refused: send it from this instance's own pages");
            }
        } else if (origin != null) {
            throw new ApiError(403, "cross-site request refused: send it from this instance's own pages");
        }
        String authorization = ctx.header("Authorization");
        if ((authorization == null || authorization.isEmpty()) && ctx.cookie(SESSION_COOKIE) != null
                && ctx.header(CSRF_HEADER) == null) {
            throw new ApiError(403, "a request with the session cookie must carry " + CSRF_HEADER + ": socialcrm");
        }
    }

    // ---- other instances ---------------------------------------------------------------------

    /** The answers of every other instance to a local-scope GET. */
    private List<JsonNode> gather(String pathAndQuery) {
        return gather(pathAndQuery, null);
    }

    /** The answers of every other instance to a local-scope request: a GET, or a POST of {@code body}. */
    private List<JsonNode> gather(String pathAndQuery, byte[] body) {
        List<JsonNode> answers = new ArrayList<>();
        for (HostInfo host : queries.instances()) {
            if (host.equals(self) || host.port() < 0) {
                continue;
            }
            HttpResponse<byte[]> response = call(host, pathAndQuery, body);
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

    private void relay(Context ctx, HostInfo host, String pathAndQuery) {
        HttpResponse<byte[]> response = call(host, pathAndQuery, null);
        response.headers().firstValue("Retry-After").ifPresent(v -> ctx.header("Retry-After", v));
        respond(ctx, response.statusCode(), "application/json", response.body());
    }

    private HttpResponse<byte[]> call(HostInfo host, String pathAndQuery, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (body == null) {
            request.GET();
        } else {
            request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        }
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

    private void authorize(Context ctx) {
        if (authorized(ctx)) {
            return;
        }
        String header = ctx.header("Authorization");
        ctx.header("WWW-Authenticate", "Bearer realm=\"socialcrm\"");
        throw new ApiError(401, header == null ? "this path returns personal data: send Authorization: Bearer <token>, or sign in on the console"
                : "the bearer token is not valid");
    }

    /** Whether the request carries the token (bearer header) or the console's session cookie; true without a token. */
    private boolean authorized(Context ctx) {
        if (token == null) {
            return true;
        }
        String header = ctx.header("Authorization");
        if (header != null) {
            byte[] given = header.startsWith("Bearer ") ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            return MessageDigest.isEqual(given, token);
        }
        String cookie = ctx.cookie(SESSION_COOKIE);
        return cookie != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), session.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean local(Context ctx) {
        return "local".equals(ctx.queryParam("scope"));
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

    private static int limit(Context ctx, String name, int dflt, int max) {
        String raw = ctx.queryParam(name);
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

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void json(Context ctx, int status, JsonNode body) {
        try {
            respond(ctx, status, "application/json", PlainJson.MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static void error(Context ctx, int status, String message) {
        ObjectNode body = PlainJson.MAPPER.createObjectNode();
        body.put("error", message);
        body.put("status", status);
        json(ctx, status, body);
    }

    private static void respond(Context ctx, int status, String type, byte[] body) {
        ctx.status(status);
        ctx.contentType(type);
        ctx.header("Cache-Control", "no-store");
        ctx.result(body);
    }

    /** Jetty's own refusals (before routing) as the API's JSON errors, never an HTML page. */
    static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() < 400 ? 500 : response.getStatus();
            String message = status == 400 ? "the request is not valid: its path must be validly encoded and must not contain control characters"
                    : HttpStatus.getMessage(status);
            ObjectNode body = PlainJson.MAPPER.createObjectNode().put("error", message).put("status", status);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
            return true;
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
