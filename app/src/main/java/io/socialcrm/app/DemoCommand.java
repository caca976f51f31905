package io.socialcrm.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.contract.ChangeTrigger;
import io.socialcrm.contract.Topics;
import io.socialcrm.generator.ActivityGenerator;
import io.socialcrm.generator.KafkaSink;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.EmbeddedDatabase;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.stack.StackFiles;
import io.socialcrm.topology.StreamsProperties;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code socialcrm demo}: the main job on the embedded default. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the whole pipeline on the embedded default: an in-process KRaft broker, a schema registry, "
                + "generated permissioned social activity (a population of customers, partial opt-in, communities, "
                + "daily rhythms, cascades), the topology and the HTTP API. Shows segment changes as they happen and "
                + "a summary at the end. Simulated time runs fast (30 days a minute by default) so that decay and "
                + "dormancy show. Ctrl-C stops everything cleanly.",
        footer = {"", "Example:", "  socialcrm demo --customers 5000 --rate 800 --duration 2m --summary-json summary.json"})
public final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    private static final DateTimeFormatter SIM_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    @Option(names = "--customers", paramLabel = "N", defaultValue = "2000", description = "Customers in the population (default 2000).")
    int customers;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "400", description = "Activities per second (default 400).")
    int rate;

    /** How long to run: a duration or a number of events. */
    static final class Length {
        @Option(names = "--duration", paramLabel = "D", description = "How long to run, e.g. 60s, 5m (default 60s).")
        String duration;

        @Option(names = "--events", paramLabel = "M", description = "Stop after this many activities instead.")
        Long events;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Length length = new Length();

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the generator (default 42).")
    long seed;

    @Option(names = "--opt-in", paramLabel = "RATE", defaultValue = "0.4", description = "Fraction of accounts opted in at the start (default 0.4).")
    double optIn;

    @Option(names = "--days-per-minute", paramLabel = "DAYS", defaultValue = "30",
            description = "Simulated days per minute of wall-clock time (default 30).")
    double daysPerMinute;

    @Option(names = "--http-port", paramLabel = "P", defaultValue = "8080", description = "Port of the HTTP API (default 8080; 0: any free port).")
    int httpPort;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the summary as JSON to this file.")
    Path summaryJson;

    @Option(names = "--bi", description = "Also start a PostgreSQL and the BI sink (Kafka Connect in process) that keeps "
            + "the outputs there as tables (docs/bi.md); prints the JDBC URL and a psql command.")
    boolean bi;

    @Mixin
    StackOptions stack = new StackOptions();

    @Mixin
    ConfigOptions config = new ConfigOptions();

    private final PrintStream console = System.out;
    private final boolean terminal = System.console() != null;

    @Override
    public Integer call() throws Exception {
        validate();
        if (httpPort != 0) {
            console.printf("The marketer's console will be at http://127.0.0.1:%d/ once the stack is up (a few seconds)%n", httpPort);
        }
        Duration duration = length.duration == null ? Duration.ofSeconds(60)
                : Settings.of(Map.of("duration", length.duration), "option --duration").duration("duration");
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "socialcrm-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        // read while the stack starts: the generator and the topology both need it
        CompletableFuture.runAsync(Taxonomy::builtIn);
        // Kafka Streams starts as soon as the broker is up: its first rebalance overlaps the registry's start
        try (LocalStack local = LocalStack.startRegistryInBackground(stack.options())) {
            Map<String, String> commandDefaults = new LinkedHashMap<>();
            commandDefaults.put(AppConfig.SEGMENTS_REFRESH.name(), "2s");
            commandDefaults.put(AppConfig.SWEEP_TICK.name(), "500ms");
            commandDefaults.put(AppConfig.METRICS_FLUSH.name(), "2s");
            // a task starts only when it knows the lag of each of its inputs, and an input with nothing
            // to read answers a fetch only after fetch.max.wait.ms (500 ms): the segment definitions were
            // admitted up to 2 s after the application was RUNNING, and the first changes waited for them
            commandDefaults.put("main.consumer.fetch.max.wait.ms", "100");
            Settings settings = EmbeddedSettings.of(local, config, "socialcrm-demo", commandDefaults,
                    Map.of(AppConfig.HTTP_PORT.name(), Integer.toString(httpPort)));
            SchemaRegistryConfig registry = StreamsProperties.registry(settings);
            Topics topics = local.topics();
            String taxonomyFile = settings.string(AppConfig.TAXONOMY_FILE.name());
            ActivityGenerator generator = ActivityGenerator.create(customers, optIn, seed,
                    taxonomyFile == null ? Taxonomy.builtIn() : Taxonomy.load(Path.of(taxonomyFile)));
            double speedup = daysPerMinute * 1440.0;
            Instant simStart = Instant.now().minusMillis((long) (duration.toMillis() * speedup));
            try (Service service = Service.start(settings, local::awaitRegistry);
                 KafkaSink producer = new KafkaSink(local.bootstrapServers(), demoProducerSettings(), topics, registry);
                 ChangeWatcher watcher = new ChangeWatcher(local.bootstrapServers(), topics, registry, speedup);
                 BiTables tables = bi ? BiTables.start(local, topics) : null) {
                console.printf("Console: %s/  (segments, live changes, influencers, customers, the segment editor)%n", service.url());
                console.printf("Embedded stack up: Kafka %s, schema registry %s; HTTP API %s%n", local.bootstrapServers(),
                        local.schemaRegistryUrl(), service.url());
                if (tables != null) {
                    console.printf("BI tables in PostgreSQL: %s (user %s, no password); open them with: %s%n",
                            tables.database.jdbcUrl(), EmbeddedDatabase.USER, tables.database.psql());
                }
                generator.initial(simStart, producer);
                producer.flush();
                watcher.start(simStart);
                service.awaitRunning(Duration.ofMinutes(2));
                warmUp(local, generator, watcher, service, topics);
                console.printf("Generating %,d customers' activity (%d%% opted in at the start) at %d events/s, %s of "
                        + "simulated time per second...%n", customers, Math.round(optIn * 100), rate,
                        daysPerMinute >= 60 ? (daysPerMinute / 60) + " days" : Math.round(daysPerMinute * 24 / 60.0) + " hours");
                long generating = System.nanoTime();
                watcher.generationStarted(Instant.now());
                long produced = run(generator, producer, watcher, service, simStart, speedup, duration, stop);
                double seconds = (System.nanoTime() - generating) / 1e9;
                settle(local, service, topics, watcher);
                ObjectNode summary = summary(generator, watcher, service, produced, seconds);
                if (tables != null) {
                    summary.set("biTables", tables.counts(local));
                }
                printSummary(summary);
                if (summaryJson != null) {
                    Files.writeString(summaryJson, PlainJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
                    console.println("Summary written to " + summaryJson.toAbsolutePath());
                }
            }
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for this cleanup
            }
        }
        return 0;
    }

    /** demo --bi: a PostgreSQL of its own and the BI sink into it, stopped and removed with the demo. */
    static final class BiTables implements AutoCloseable {
        final EmbeddedDatabase database;
        private final BiSink sink;
        private final Path work;

        private BiTables(EmbeddedDatabase database, BiSink sink, Path work) {
            this.database = database;
            this.sink = sink;
            this.work = work;
        }

        static BiTables start(LocalStack local, Topics topics) throws IOException {
            Path work = Files.createTempDirectory("socialcrm-bi-");
            EmbeddedDatabase database = null;
            try {
                database = EmbeddedDatabase.start(work.resolve("postgres"));
                local.awaitRegistry();
                BiSink sink = BiSink.start(local.bootstrapServers(), local.schemaRegistryUrl(), topics,
                        new BiSink.Database(database.jdbcUrl(), EmbeddedDatabase.USER, null), work);
                return new BiTables(database, sink, work);
            } catch (RuntimeException e) {
                if (database != null) {
                    database.close();
                }
                StackFiles.deleteRecursively(work);
                throw e;
            }
        }

        /** Waits until the sink wrote everything, then counts the rows of each table. */
        ObjectNode counts(LocalStack local) throws InterruptedException {
            try (Admin admin = local.admin()) {
                sink.awaitCaughtUp(admin, Duration.ofMinutes(2));
            }
            ObjectNode counts = PlainJson.MAPPER.createObjectNode();
            counts.put("jdbcUrl", database.jdbcUrl());
            try (Connection c = DriverManager.getConnection(database.jdbcUrl(), EmbeddedDatabase.USER, null);
                 Statement st = c.createStatement()) {
                for (String table : List.of("customers", "segment_members", "segment_changes", "social_metrics", "erasure_receipts")) {
                    try (ResultSet r = st.executeQuery("SELECT count(*) FROM " + table)) {
                        r.next();
                        counts.put(table, r.getLong(1));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot count the BI tables: " + e.getMessage(), e);
            }
            return counts;
        }

        @Override
        public void close() {
            try {
                sink.close();
            } finally {
                database.close();
                StackFiles.deleteRecursively(work);
            }
        }
    }

    private static Properties demoProducerSettings() {
        Properties props = new Properties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return props;
    }

    private void validate() {
        if (customers < 10 || customers > 5_000_000) {
            throw new org.apache.kafka.common.config.ConfigException("--customers", customers, "must be from 10 to 5,000,000");
        }
        if (rate < 1 || rate > 1_000_000) {
            throw new org.apache.kafka.common.config.ConfigException("--rate", rate, "must be from 1 to 1,000,000 events per second");
        }
        if (!(optIn >= 0 && optIn <= 1)) {
            throw new org.apache.kafka.common.config.ConfigException("--opt-in", optIn, "must be from 0 to 1");
        }
        if (!(daysPerMinute > 0 && daysPerMinute <= 10_000)) {
            throw new org.apache.kafka.common.config.ConfigException("--days-per-minute", daysPerMinute, "must be above 0");
        }
    }

    /** Produces at the rate until the duration, the event count or Ctrl-C; shows the live view. */
    private long run(ActivityGenerator generator, KafkaSink producer, ChangeWatcher watcher, Service service,
                     Instant simStart, double speedup, Duration duration, AtomicBoolean stop) {
        long start = System.nanoTime();
        long produced = 0;
        long lastView = 0;
        while (!stop.get()) {
            long elapsedNanos = System.nanoTime() - start;
            if (length.events != null ? produced >= length.events : elapsedNanos >= duration.toNanos()) {
                break;
            }
            long due = (long) (elapsedNanos / 1e9 * rate) + 1;
            if (length.events != null) {
                due = Math.min(due, length.events);
            }
            long writing = System.nanoTime();
            while (produced < due) {
                Instant simNow = simStart.plusMillis((long) (elapsedNanos / 1e6 * speedup));
                generator.next(simNow, producer);
                produced++;
            }
            long heldUp = System.nanoTime() - writing;
            if (heldUp > 2_000_000_000L) {
                // a write that blocks (the producer's buffer full, metadata missing) shows here, not as a silent shortfall
                console.printf("  (the generator was held up %.1f s writing to Kafka at %.0f s; %,d events so far)%n",
                        heldUp / 1e9, elapsedNanos / 1e9, produced);
            }
            if (elapsedNanos - lastView >= (terminal ? 1_000_000_000L : 5_000_000_000L)) {
                lastView = elapsedNanos;
                view(generator, watcher, service, "simulated " + SIM_TIME.format(simStart.plusMillis((long) (elapsedNanos / 1e6 * speedup))),
                        elapsedNanos / 1e9, produced);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                // the thread that runs an embedded demo was interrupted: it stops as after Ctrl-C (the summary, then
                // every part closed in order). Left set, the interrupt made the closes give up, and Kafka Streams and
                // the broker went on running beside whatever the process did next
                stop.set(true);
            }
        }
        return produced;
    }

    /** One frame of the live view; {@code when} is the simulated time, or the phase before live activity. */
    private void view(ActivityGenerator generator, ChangeWatcher watcher, Service service, String when, double seconds,
                      long produced) {
        long accounts = generator.population().accounts.size();
        String sizes = watcher.sizes().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + " | " + b).orElse("(none yet)");
        if (terminal) {
            StringBuilder screen = new StringBuilder("\033[H\033[2J");
            screen.append(String.format("socialcrm demo  %4.0f s   %s   API %s%n", seconds, when, service.url()));
            screen.append(String.format("events %,d (%,.0f/s)   consent take-up %.1f%% of %,d accounts   segment changes %,d%n%n",
                    produced, produced / Math.max(seconds, 0.001), 100.0 * generator.consentedAccounts() / accounts, accounts,
                    watcher.total()));
            screen.append("segment sizes: ").append(sizes).append("\n\nlatest segment changes:\n");
            for (String line : watcher.latest()) {
                screen.append("  ").append(line).append('\n');
            }
            console.print(screen);
            console.flush();
        } else {
            console.printf("[%4.0f s] %s: %,d events, take-up %.1f%%, %,d segment changes; sizes: %s%n", seconds,
                    when, produced, 100.0 * generator.consentedAccounts() / accounts, watcher.total(), sizes);
            List<String> latest = watcher.latest();
            latest.stream().skip(Math.max(0, latest.size() - 3)).forEach(l -> console.println("    " + l));
        }
    }

    /**
     * Lets the pipeline take in the opted-in accounts' consents, every profile snapshot and the
     * segment definitions before live activity starts, so that the live view and the latency
     * figures show the steady state rather than the first seconds' backlog (cold JIT, first
     * transactions, a sweep per new definition).
     */
    private void warmUp(LocalStack local, ActivityGenerator generator, ChangeWatcher watcher, Service service,
                        Topics topics) {
        long start = System.nanoTime();
        console.println("Loading the accounts' consents and profiles (the changes they cause show meanwhile)...");
        long[] lastView = {0};
        try (var admin = local.admin()) {
            new Progress(admin, service.pipeline().topology().applicationId()).awaitIdle(
                    List.of(topics.consents.name(), topics.socialProfiles.name(), topics.segmentDefinitions.name()),
                    List.of(topics.customerProfiles.name()), Duration.ofMillis(800), Duration.ofSeconds(60), lag -> {
                        long elapsed = System.nanoTime() - start;
                        // the first changes at once, then a frame a second (terminal) or every 2 s
                        if (watcher.total() > 0 && (lastView[0] == 0
                                || elapsed - lastView[0] >= (terminal ? 1_000_000_000L : 2_000_000_000L))) {
                            lastView[0] = elapsed;
                            view(generator, watcher, service, "loading consents and profiles", elapsed / 1e9, 0);
                        }
                    });
        } catch (IllegalStateException e) {
            LOG.warn("Going on before the initial load settled: {}", e.getMessage());
        }
        console.printf("Loaded in %.1f s.%n", (System.nanoTime() - start) / 1e9);
    }

    /** Waits (at most 20 s) until the application has read everything produced. */
    private void settle(LocalStack local, Service service, Topics topics, ChangeWatcher watcher) {
        try (var admin = local.admin()) {
            Progress progress = new Progress(admin, service.pipeline().topology().applicationId());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && progress.lag(List.of(topics.socialActivity.name(), topics.consents.name())) > 0) {
                Pipeline.sleep(200);
            }
        }
        Pipeline.sleep(1500);
        watcher.pollOnce();
    }

    private ObjectNode summary(ActivityGenerator generator, ChangeWatcher watcher, Service service, long produced, double seconds)
            throws IOException, InterruptedException {
        ObjectNode s = PlainJson.MAPPER.createObjectNode();
        s.put("events", produced);
        s.put("generatingSeconds", Math.round(seconds * 10) / 10.0);
        s.put("eventsPerSecond", Math.round(produced / Math.max(seconds, 0.001)));
        s.put("customers", generator.population().customers);
        s.put("accounts", generator.population().accounts.size());
        s.put("consentedAccounts", generator.consentedAccounts());
        ObjectNode changes = s.putObject("segmentChanges");
        changes.put("total", watcher.total());
        changes.put("entered", watcher.entered());
        changes.put("exited", watcher.total() - watcher.entered());
        ObjectNode contactCounts = s.putObject("contactOpportunities");
        watcher.contactCounts().forEach(contactCounts::put);
        ObjectNode sizes = s.putObject("segmentSizes");
        watcher.sizes().forEach(sizes::put);
        s.set("latencyMs", watcher.latency());
        s.put("refreshInterval", service.pipeline().settings().string(AppConfig.SEGMENTS_REFRESH.name()));
        s.set("topInfluencers", api(service, "/influencers/top?limit=10").path("influencers"));
        s.set("consentTakeUp", api(service, "/consents/take-up"));
        s.put("api", service.url());
        return s;
    }

    private static JsonNode api(Service service, String path) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(10));
            String token = service.pipeline().settings().string(AppConfig.HTTP_TOKEN.name());
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return PlainJson.MAPPER.readTree(response.body());
            }
            Pipeline.sleep(500);
        }
        return PlainJson.MAPPER.createObjectNode();
    }

    /** The three largest pairs, e.g. {@code twitter+bluesky 12, ...}. */
    private static String pairs(JsonNode pairs) {
        List<Map.Entry<String, JsonNode>> all = new ArrayList<>();
        pairs.fields().forEachRemaining(all::add);
        all.sort((a, b) -> Long.compare(b.getValue().asLong(), a.getValue().asLong()));
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : all.subList(0, Math.min(3, all.size()))) {
            out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(String.format("%,d", e.getValue().asLong()));
        }
        return out.length() == 0 ? "none" : out + (all.size() > 3 ? ", ..." : "");
    }

    private void printSummary(ObjectNode s) {
        console.printf("%nDemo finished: %,d events in %.0f s (%,d/s); %,d of %,d accounts opted in at the end%n",
                s.get("events").asLong(), s.get("generatingSeconds").asDouble(), s.get("eventsPerSecond").asLong(),
                s.get("consentedAccounts").asLong(), s.get("accounts").asLong());
        JsonNode changes = s.get("segmentChanges");
        console.printf("Segment changes: %,d (%,d entered, %,d exited)%n", changes.get("total").asLong(),
                changes.get("entered").asLong(), changes.get("exited").asLong());
        StringBuilder contacts = new StringBuilder();
        s.path("contactOpportunities").fields().forEachRemaining(e -> contacts.append(contacts.length() == 0 ? "" : ", ")
                .append(String.format("%,d ", e.getValue().asLong())).append(e.getKey()));
        console.printf("Contact opportunities (campaign segments, at each customer's best hour): %s%n",
                contacts.length() == 0 ? "none written yet (scheduled ones are due later)" : contacts);
        JsonNode bi = s.get("biTables");
        if (bi != null) {
            console.printf("BI tables (%s): %,d customers, %,d segment members, %,d segment changes, %,d metric hours%n",
                    bi.get("jdbcUrl").asText(), bi.get("customers").asLong(), bi.get("segment_members").asLong(),
                    bi.get("segment_changes").asLong(), bi.get("social_metrics").asLong());
        }
        JsonNode event = s.get("latencyMs").path("event");
        JsonNode sweep = s.get("latencyMs").path("sweep");
        console.printf("Latency, event -> the segment change it caused: p50 %s ms, p95 %s ms, p99 %s ms (%,d changes)%n",
                event.path("p50").asText("-"), event.path("p95").asText("-"), event.path("p99").asText("-"),
                event.path("count").asLong());
        console.printf("Latency, changes found by sweeps (decay, dormancy, rank drift; refresh every %s): "
                        + "p50 %s ms, p99 %s ms (%,d changes)%n", s.path("refreshInterval").asText(),
                sweep.path("p50").asText("-"), sweep.path("p99").asText("-"), sweep.path("count").asLong());
        JsonNode takeUp = s.path("consentTakeUp");
        if (takeUp.has("customers")) {
            console.printf("Consent take-up: %,d customers; on 1 platform %,d, on 2 %,d, on 3 or more %,d; on both of a pair: %s%n",
                    takeUp.path("customers").asLong(), takeUp.path("byPlatformCount").path("1").asLong(),
                    takeUp.path("byPlatformCount").path("2").asLong(), takeUp.path("byPlatformCount").path("3+").asLong(),
                    pairs(takeUp.path("pairs")));
        }
        console.println("Segment sizes:");
        s.get("segmentSizes").fields().forEachRemaining(e -> console.printf("  %-28s %,d%n", e.getKey(), e.getValue().asLong()));
        console.println("Top influencers:");
        s.get("topInfluencers").forEach(i -> console.printf("  %-12s score %5.1f%n", i.path("customerId").asText(),
                i.path("score").asDouble()));
    }


    /** Follows segment-changes: sizes, the latest changes with their reasons, event-to-change latency. */
    private static final class ChangeWatcher implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Topics topics;
        private final io.socialcrm.serde.AvroSerde<SegmentChange> changes;
        private final double speedup;
        private volatile Instant simStart;
        private volatile Instant wallStart;
        private final Map<String, Long> sizes = new TreeMap<>();
        private final Deque<String> latest = new ArrayDeque<>();
        /** Event time to wall clock, apart for changes an event caused and changes a sweep found. */
        private final KllDoublesSketch eventLatencies = KllDoublesSketch.newHeapInstance(200);
        private final KllDoublesSketch sweepLatencies = KllDoublesSketch.newHeapInstance(200);
        private final AtomicLong total = new AtomicLong();
        private final AtomicLong entered = new AtomicLong();
        private final io.socialcrm.serde.AvroSerde<ContactOpportunity> contacts;
        /** Contact opportunities written: DUE, or CANCELLED by reason. */
        private final Map<String, Long> contactCounts = new TreeMap<>();
        private final Thread thread;
        private final ReentrantLock consumerLock = new ReentrantLock(true);
        private volatile boolean running = true;

        ChangeWatcher(String bootstrapServers, Topics topics, SchemaRegistryConfig registry, double speedup) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "socialcrm-demo-view");
            this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.topics = topics;
            this.changes = io.socialcrm.serde.AvroSerde.specific(SegmentChange.class, registry, false);
            this.contacts = io.socialcrm.serde.AvroSerde.specific(ContactOpportunity.class, registry, false);
            this.speedup = speedup;
            this.thread = new Thread(this::loop, "socialcrm-demo-view");
            this.thread.setDaemon(true);
        }

        /** Starts watching; changes stamped from {@code simStart} on are timed once generation has started. */
        void start(Instant simStart) {
            this.simStart = simStart;
            consumer.subscribe(List.of(topics.segmentChanges.name(), topics.contactOpportunities.name()));
            thread.start();
        }

        /** Live activity starts: simulated time {@code simStart} is wall-clock time {@code wallStart}. */
        void generationStarted(Instant wallStart) {
            this.wallStart = wallStart;
        }

        private void loop() {
            while (running) {
                pollOnce();
            }
        }

        /**
         * Reads what came and applies it. The consumer has a fair lock of its own and the view's state
         * is locked only while a batch is applied: a view frame never waits for a poll (a monitor held
         * across {@code poll} and re-taken at once by this thread starved the generator's view for
         * 12 s on a loaded machine, which stopped the generation with it).
         */
        void pollOnce() {
            ConsumerRecords<byte[], byte[]> records;
            consumerLock.lock();
            try {
                records = consumer.poll(Duration.ofMillis(200));
            } finally {
                consumerLock.unlock();
            }
            if (!records.isEmpty()) {
                apply(records);
            }
        }

        private synchronized void apply(ConsumerRecords<byte[], byte[]> records) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.topic().equals(topics.contactOpportunities.name())) {
                    ContactOpportunity o = contacts.deserializer().deserialize(r.topic(), r.value());
                    contactCounts.merge(o.getCancelReason() == null ? o.getStatus() : o.getStatus() + " " + o.getCancelReason(), 1L, Long::sum);
                    continue;
                }
                SegmentChange c = changes.deserializer().deserialize(r.topic(), r.value());
                total.incrementAndGet();
                boolean in = c.getChange() == MembershipChange.ENTERED;
                if (in) {
                    entered.incrementAndGet();
                }
                sizes.merge(c.getSegmentId(), in ? 1L : -1L, Long::sum);
                Instant wallStart = this.wallStart;
                if (wallStart != null && !c.getAt().isBefore(simStart)) {
                    // only changes caused by what was generated during the run (not by the initial consents)
                    long wallOfEvent = wallStart.toEpochMilli() + (long) ((c.getAt().toEpochMilli() - simStart.toEpochMilli()) / speedup);
                    (ChangeTrigger.of(r.headers()) == ChangeTrigger.SWEEP ? sweepLatencies : eventLatencies)
                            .update(Math.max(0, System.currentTimeMillis() - wallOfEvent));
                }
                String reason = c.getReason().length() > 90 ? c.getReason().substring(0, 87) + "..." : c.getReason();
                latest.addLast(String.format("%s %-28s %s  %s", in ? "+" : "-", c.getSegmentId(), c.getCustomerId(), reason));
                if (latest.size() > 10) {
                    latest.removeFirst();
                }
            }
        }

        synchronized Map<String, Long> contactCounts() {
            return new TreeMap<>(contactCounts);
        }

        synchronized Map<String, Long> sizes() {
            return new TreeMap<>(sizes);
        }

        synchronized List<String> latest() {
            return List.copyOf(latest);
        }

        long total() {
            return total.get();
        }

        long entered() {
            return entered.get();
        }

        synchronized ObjectNode latency() {
            ObjectNode node = PlainJson.MAPPER.createObjectNode();
            node.set("event", percentiles(eventLatencies));
            node.set("sweep", percentiles(sweepLatencies));
            return node;
        }

        private static ObjectNode percentiles(KllDoublesSketch latencies) {
            ObjectNode node = PlainJson.MAPPER.createObjectNode();
            node.put("count", latencies.getN());
            if (!latencies.isEmpty()) {
                node.put("p50", Math.round(latencies.getQuantile(0.50, QuantileSearchCriteria.INCLUSIVE)));
                node.put("p95", Math.round(latencies.getQuantile(0.95, QuantileSearchCriteria.INCLUSIVE)));
                node.put("p99", Math.round(latencies.getQuantile(0.99, QuantileSearchCriteria.INCLUSIVE)));
                node.put("max", Math.round(latencies.getMaxItem()));
            }
            return node;
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumerLock.lock();
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                consumerLock.unlock();
            }
        }
    }
}
