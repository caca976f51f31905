package io.socialcrm.connectors.mastodon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.connectors.files.ServerSentEvents;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token's view of its server with the JDK's HTTP client: the user stream (server-sent events:
 * home timeline updates and notifications) and, after each (re)connection, the REST backfill of
 * what came since the last items written ({@code min_id}), honouring the {@code X-RateLimit-*}
 * headers. Runs on its own thread and puts each item on a bounded queue; reconnects with a backoff
 * doubling from one second.
 */
final class MastodonClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MastodonClient.class);
    private static final int PAGE = 40;
    private static final Duration LONGEST_RATE_WAIT = Duration.ofMinutes(15);

    /** An item: a status or notification (REST) or a streaming event, and the ids it moves the offsets to. */
    record Item(JsonNode node, String homeId, String notificationId, String place) {
    }

    /** The last ids written, where the backfill starts. */
    record Marks(String home, String notifications) {
    }

    private final MastodonConfig config;
    private final BlockingQueue<Item> queue;
    private final Supplier<Marks> marks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile HttpResponse<Stream<String>> current;
    private volatile long lastHeard = System.nanoTime();
    final AtomicLong connects = new AtomicLong();
    final AtomicLong disconnects = new AtomicLong();
    final AtomicLong backfilled = new AtomicLong();
    final AtomicLong rateLimitWaits = new AtomicLong();

    MastodonClient(MastodonConfig config, BlockingQueue<Item> queue, Supplier<Marks> marks) {
        this.config = config;
        this.queue = queue;
        this.marks = marks;
        this.thread = new Thread(this::run, "socialcrm-mastodon");
        this.thread.setDaemon(true);
    }

    /** The token's own account (GET /api/v1/accounts/verify_credentials); fails, saying why, when refused. */
    JsonNode verifyCredentials() throws IOException, InterruptedException {
        HttpResponse<String> response = get(config.server().resolve("/api/v1/accounts/verify_credentials"));
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new IOException("the server refused the access token (" + response.statusCode() + "): check "
                    + MastodonConfig.ACCESS_TOKEN);
        }
        if (response.statusCode() != 200) {
            throw new IOException("verify_credentials answered " + response.statusCode());
        }
        return PlainJson.MAPPER.readTree(response.body());
    }

    /** Starts reading, once; later calls do nothing. */
    void start() {
        if (started.compareAndSet(false, true)) {
            thread.start();
        }
    }

    private void run() {
        long backoff = 1_000;
        while (running) {
            try {
                HttpRequest request = request(config.streaming().resolve("/api/v1/streaming/user")).timeout(Duration.ofDays(365)).build();
                HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
                if (response.statusCode() != 200) {
                    response.body().close();
                    throw new IOException("the streaming API answered " + response.statusCode());
                }
                current = response;
                lastHeard = System.nanoTime();
                connects.incrementAndGet();
                backoff = 1_000;
                backfill();
                read(response.body());
                if (running) {
                    disconnects.incrementAndGet();
                    LOG.warn("Mastodon stream ended; reconnecting");
                }
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                disconnects.incrementAndGet();
                LOG.warn("Mastodon stream at {}: {}; next try in {} ms", config.streaming().getHost(), e.getMessage(), backoff);
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, config.getLong(MastodonConfig.BACKOFF_MAX_MS));
        }
    }

    private void read(Stream<String> lines) throws InterruptedException {
        ServerSentEvents events = new ServerSentEvents();
        try (lines) {
            Iterator<String> it = lines.iterator();
            while (running && it.hasNext()) {
                String line = it.next();
                lastHeard = System.nanoTime(); // heartbeats (':thump') count: the stream is alive
                ObjectNode event = events.line(line);
                if (event != null) {
                    queue.put(item(event));
                }
            }
        } catch (java.io.UncheckedIOException e) {
            LOG.debug("Stream read ended: {}", e.getMessage());
        }
    }

    /**
     * A streaming event with the id it carries: a status's for update events, a notification's for
     * notifications. Their payload (a JSON document as a string) is parsed here, once, and travels
     * parsed; one that is not JSON stays a string and is refused when mapped.
     */
    private static Item item(ObjectNode event) {
        String name = event.path("event").asText();
        boolean status = name.equals("update") || name.equals("status.update");
        if (!status && !name.equals("notification")) {
            return new Item(event, null, null, "stream event '" + name + "'");
        }
        String id = null;
        try {
            JsonNode payload = PlainJson.MAPPER.readTree(event.path("payload").asText());
            if (payload != null && payload.isObject()) {
                event.set("payload", payload);
                id = payload.path("id").asText(null);
            }
        } catch (IOException e) {
            id = null; // refused when mapped
        }
        boolean update = name.equals("update");
        return new Item(event, update ? id : null, status ? null : id, "stream event '" + name + "'");
    }

    /** Home statuses and notifications since the last written, oldest first. */
    private void backfill() throws IOException, InterruptedException {
        Marks from = marks.get();
        int pages = config.getInt(MastodonConfig.BACKFILL_PAGES);
        if (from.home() != null) {
            page("/api/v1/timelines/home", from.home(), pages, true);
        }
        if (from.notifications() != null) {
            page("/api/v1/notifications", from.notifications(), pages, false);
        }
    }

    private void page(String path, String minId, int pages, boolean home) throws IOException, InterruptedException {
        String after = minId;
        for (int page = 0; page < pages && running; page++) {
            HttpResponse<String> response = get(config.server().resolve(path + "?limit=" + PAGE + "&min_id=" + after));
            if (response.statusCode() != 200) {
                throw new IOException(path + " answered " + response.statusCode());
            }
            JsonNode items = PlainJson.MAPPER.readTree(response.body());
            if (!items.isArray() || items.isEmpty()) {
                return;
            }
            List<JsonNode> oldestFirst = new ArrayList<>();
            items.forEach(oldestFirst::add);
            oldestFirst.sort((a, b) -> Ids.compare(a.path("id").asText(), b.path("id").asText()));
            for (JsonNode item : oldestFirst) {
                String id = item.path("id").asText(null);
                queue.put(new Item(item, home ? id : null, home ? null : id, path + " id " + id));
                backfilled.incrementAndGet();
            }
            after = oldestFirst.get(oldestFirst.size() - 1).path("id").asText();
        }
    }

    /** A GET that waits out the rate limit: before the next call when none is left, and on a 429. */
    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> response = http.send(request(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            boolean limited = response.statusCode() == 429;
            long remaining = response.headers().firstValueAsLong("X-RateLimit-Remaining").orElse(Long.MAX_VALUE);
            if (limited || remaining <= 0) {
                Duration wait = untilReset(response);
                rateLimitWaits.incrementAndGet();
                LOG.info("Mastodon rate limit reached; waiting {} s", wait.toSeconds());
                Thread.sleep(wait.toMillis());
            }
            if (!limited || attempt >= 3) {
                return response;
            }
        }
    }

    private static Duration untilReset(HttpResponse<?> response) {
        String reset = response.headers().firstValue("X-RateLimit-Reset").orElse(null);
        if (reset == null) {
            return Duration.ofSeconds(60);
        }
        try {
            Duration wait = Duration.between(Instant.now(), Instant.parse(reset));
            return wait.isNegative() ? Duration.ZERO : wait.compareTo(LONGEST_RATE_WAIT) > 0 ? LONGEST_RATE_WAIT : wait;
        } catch (DateTimeParseException e) {
            return Duration.ofSeconds(60);
        }
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + config.token())
                .header("User-Agent", "socialcrm-connectors");
    }

    /**
     * Gives up a stream that has sent nothing, not even a heartbeat, for longer than {@code idleMs}
     * (a half-open connection reports nothing): the reader reconnects and reads back what it missed.
     */
    void checkAlive(long idleMs) {
        HttpResponse<Stream<String>> response = current;
        if (response != null && (System.nanoTime() - lastHeard) / 1_000_000 > idleMs) {
            LOG.warn("Mastodon stream silent for over {} ms ({}); reconnecting", idleMs, MastodonConfig.IDLE_TIMEOUT_MS);
            current = null;
            response.body().close();
        }
    }

    @Override
    public void close() {
        running = false;
        HttpResponse<Stream<String>> response = current;
        if (response != null) {
            response.body().close();
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
