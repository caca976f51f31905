package io.socialcrm.connectors.mastodon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.socialcrm.connectors.testing.Cassettes;
import io.socialcrm.connectors.testing.TaskContexts;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The Mastodon task against a local server built from the recorded API output: the user stream
 * (server-sent events, byte for byte) drops after two events; on reconnecting the task reads the home
 * timeline back from the last status it wrote (a status the stream never carried comes back this
 * way), waits out the rate limit the server announces, and streams the rest.
 */
class MastodonSourceTaskTest {
    private static final String STREAM = "mastodonpy-test_stream_user_direct.yaml";
    private static final String TOKEN = "tok-3f9a-not-for-logs";

    /** The recorded server: verify_credentials, the user stream, home timeline and notifications by min_id. */
    static final class Server implements AutoCloseable {
        final HttpServer http;
        final AtomicInteger streams = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        private final List<String> sse;
        private final List<JsonNode> home = new ArrayList<>();
        /** The first connection goes silent after its events instead of ending (half-open). */
        volatile boolean stallFirst;

        Server() throws IOException {
            String body = Cassettes.first(STREAM, "GET", "/streaming/user").body();
            sse = List.of(body.split("(?<=\n\n)"));
            Cassettes.read(STREAM).stream().filter(c -> c.method().equals("POST") && c.uri().endsWith("/api/v1/statuses"))
                    .forEach(c -> home.add(c.json()));
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/api/v1/accounts/verify_credentials", ex -> {
                authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
                boolean ok = ("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"));
                send(ex, ok ? 200 : 401, ok ? Cassettes.first(STREAM, "GET", "verify_credentials").body() : "{\"error\":\"invalid\"}", Map.of());
            });
            http.createContext("/api/v1/streaming/user", this::stream);
            http.createContext("/api/v1/timelines/home", ex -> page(ex, home));
            http.createContext("/api/v1/notifications", ex -> page(ex, List.of()));
            http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort();
        }

        private void stream(HttpExchange ex) throws IOException {
            int n = streams.incrementAndGet();
            requests.add(ex.getRequestURI().toString());
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(":)\n".getBytes(StandardCharsets.UTF_8));
                List<String> events = sse.subList(0, sse.size());
                // the first connection carries the first two events and drops; later ones carry the rest
                List<String> part = n == 1 ? events.subList(0, 2) : events.subList(2, events.size());
                for (String event : part) {
                    out.write(event.replaceFirst("^:\\)\n", "").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                if (n > 1) {
                    sleep(3_000); // stays open a while, as a live stream does
                } else if (stallFirst) {
                    sleep(30_000); // open, silent: no heartbeat either
                }
            }
        }

        private void page(HttpExchange ex, List<JsonNode> pool) throws IOException {
            requests.add(ex.getRequestURI().toString());
            String query = ex.getRequestURI().getQuery();
            String minId = query.replaceAll(".*min_id=([0-9]+).*", "$1");
            List<JsonNode> newer = new ArrayList<>(pool.stream().filter(s -> Ids.compare(s.path("id").asText(), minId) > 0).toList());
            newer.sort((a, b) -> Ids.compare(b.path("id").asText(), a.path("id").asText())); // newest first, as Mastodon
            ArrayNode body = PlainJson.MAPPER.createArrayNode();
            newer.forEach(body::add);
            boolean first = requests.stream().filter(r -> r.startsWith("/api/v1/timelines/home")).count() == 1;
            Map<String, String> headers = first
                    ? Map.of("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", Instant.now().plusSeconds(1).toString())
                    : Map.of("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "299");
            send(ex, 200, body.toString(), headers);
        }

        private static void send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private static Map<String, String> props(Server server, String token) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "mastodon");
        props.put(MastodonConfig.SERVER_URL, server.url());
        props.put(MastodonConfig.ACCESS_TOKEN, token);
        props.put(MastodonConfig.FOLLOW_CONSENTED, "false");
        props.put(MastodonConfig.ACCOUNTS, "admin@localhost");
        return props;
    }

    @Test
    void streamsReadsBackWhatTheDropMissedAndKeepsOnlyTheAccountsActivity() throws Exception {
        Map<String, String> uriById = new HashMap<>();
        Cassettes.read(STREAM).stream().filter(c -> c.method().equals("POST") && c.uri().endsWith("/api/v1/statuses"))
                .forEach(c -> uriById.put(c.json().path("id").asText(), c.json().path("uri").asText()));
        // admin's post mentioning the test account (streamed as a notification) and admin's post the stream never carried
        Set<String> expected = new TreeSet<>(List.of(uriById.get("117024236408130890"), uriById.get("117024236484142415")));
        TaskContexts context = new TaskContexts();
        MastodonSourceTask task = new MastodonSourceTask();
        List<String> written = new ArrayList<>();
        List<SourceRecord> records = new ArrayList<>();
        try (Server server = new Server()) {
            task.initialize(context);
            task.start(props(server, TOKEN));
            long deadline = System.nanoTime() + 30_000_000_000L;
            // until the stream's last event (the delete, the fifth notice after the two direct statuses read back and the
            // two streamed) is read: everything before it, the edit included, has been read too
            while ((!new TreeSet<>(written).containsAll(expected) || context.metric("notices-total") < 5) && System.nanoTime() < deadline) {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    for (SourceRecord r : batch) {
                        records.add(r);
                        if (r.topic().equals("social-activity")) {
                            written.add(((Struct) r.value()).getString("eventId"));
                            assertTrue(((String) r.key()).startsWith("mastodon:"), r.key().toString());
                        }
                    }
                }
            }
            assertEquals(expected, new TreeSet<>(written), "admin's public activity, none of the other account's");
            assertEquals(written.size(), new TreeSet<>(written).size(), "nothing written twice: " + written);
            assertTrue(server.streams.get() >= 2, "reconnected after the drop");
            assertTrue(server.requests.contains("/api/v1/timelines/home?limit=40&min_id=117024236332527350"),
                    "read back from the last home status: " + server.requests);
            assertTrue(context.metric("rate-limit-waits-total") >= 1, "waited for the announced reset");
            assertTrue(context.metric("backfilled-total") >= 2);
            assertTrue(context.metric("events-repeated-total") >= 1, "the mention's status came again from the timeline");
            assertTrue(context.metric("events-dropped-unconsented-total") >= 2, "the other account's post and its edit");
            assertTrue(context.metric("notices-total") >= 5, "two direct statuses, each streamed and read back, and a delete");
            assertEquals(Set.of("Bearer " + TOKEN), Set.copyOf(server.authorizations));
            SourceRecord last = records.stream().filter(r -> r.topic().equals("social-activity")).reduce((a, b) -> b).orElseThrow();
            assertEquals(Map.of("server", "127.0.0.1", "account", "admin@localhost"), last.sourcePartition(), "the token's account");
            assertEquals("117024236484142415", last.sourceOffset().get("home"));
            assertTrue(records.stream().anyMatch(r -> r.topic().equals("social-profiles")), "profile snapshots of kept statuses");
        } finally {
            task.stop();
        }
    }

    @Test
    void aSilentStreamIsTakenForDeadAndWhatItMissedIsReadBack() throws Exception {
        TaskContexts context = new TaskContexts();
        MastodonSourceTask task = new MastodonSourceTask();
        Set<String> written = new TreeSet<>();
        try (Server server = new Server()) {
            server.stallFirst = true;
            Map<String, String> props = props(server, TOKEN);
            props.put(MastodonConfig.IDLE_TIMEOUT_MS, "1000");
            task.initialize(context);
            task.start(props);
            String missed = Cassettes.read(STREAM).stream().filter(c -> c.uri().endsWith("/api/v1/statuses"))
                    .map(c -> c.json()).filter(j -> j.path("id").asText().equals("117024236484142415")).findFirst().orElseThrow()
                    .path("uri").asText();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!written.contains(missed) && System.nanoTime() < deadline) {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    batch.stream().filter(r -> r.topic().equals("social-activity"))
                            .forEach(r -> written.add(((Struct) r.value()).getString("eventId")));
                }
            }
            assertTrue(server.streams.get() >= 2, "the silent stream was given up and a new one opened");
            assertTrue(written.contains(missed), "what the silent stream missed was read back: " + written);
        } finally {
            task.stop();
        }
    }

    @Test
    void aRefusedTokenFailsTheTaskSayingWhatToCheckAndIsNeverLogged() throws Exception {
        try (Server server = new Server()) {
            MastodonSourceTask task = new MastodonSourceTask();
            task.initialize(new TaskContexts());
            ConnectException e = assertThrows(ConnectException.class, () -> task.start(props(server, "wrong-token")));
            assertTrue(e.getMessage().contains("refused the access token (401)") && e.getMessage().contains(MastodonConfig.ACCESS_TOKEN),
                    e.getMessage());
            assertFalse(e.getMessage().contains("wrong-token"));
        }
    }

    @Test
    void badSettingsFailFast() {
        Map<String, String> props = new HashMap<>(Map.of(MastodonConfig.SERVER_URL, "mastodon.social", MastodonConfig.ACCESS_TOKEN, "t"));
        assertTrue(assertThrows(ConfigException.class, () -> new MastodonConfig(props)).getMessage().contains("https://"));
        props.put(MastodonConfig.SERVER_URL, "https://mastodon.social");
        assertTrue(assertThrows(ConfigException.class, () -> new MastodonConfig(props)).getMessage().contains("consents.bootstrap.servers"));
        props.put(MastodonConfig.FOLLOW_CONSENTED, "false");
        props.put(MastodonConfig.ACCOUNTS, "alice");
        assertTrue(assertThrows(ConfigException.class, () -> new MastodonConfig(props)).getMessage().contains("user@server"));
        props.put(MastodonConfig.ACCOUNTS, "@Alice@Mastodon.Social");
        assertEquals(Set.of("alice@mastodon.social"), new MastodonConfig(props).accounts());
    }
}
