package io.socialcrm.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.avro.AccessRequest;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerUnmerge;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.connectors.files.ActivityFiles;
import io.socialcrm.connectors.files.ActivityFormat;
import io.socialcrm.connectors.files.ConsentCsv;
import io.socialcrm.connectors.files.FileItem;
import io.socialcrm.connectors.files.ProfileFiles;
import io.socialcrm.connectors.files.TextFiles;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.ops.ContractWriter;
import io.socialcrm.ops.DeliveryTracker;
import io.socialcrm.ops.Producers;
import io.socialcrm.segments.SegmentFile;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.stack.StackFiles;
import io.socialcrm.topology.StreamsProperties;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code socialcrm replay}: the embedded stack over the user's own files. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the pipeline on the embedded stack over your own files and write every output topic as "
                + "JSON lines into a folder: try it on your data before deploying. Bad lines are reported with file and "
                + "line number and skipped. Erasures and merges, if given, are applied after the activities, and "
                + "unmerges after the merges.",
        footer = {"", "Example:", "  socialcrm replay --activities tweets.jsonl --consents consents.csv --out out/",
                "  socialcrm replay --format jetstream bluesky.jsonl --consents consents.csv"})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--activities", paramLabel = "FILE", arity = "1..*",
            description = "Activity files (also given without the option): Twitter API v1.1 JSON, activity-json, Jetstream "
                    + "recordings (Bluesky) or Mastodon API output (streaming events or REST statuses and notifications).")
    List<Path> activities = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "More activity files, as --activities.")
    List<Path> activityFiles = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "twitter-v1, activity-json, jetstream, mastodon, or auto (default: decided per file: Mastodon's "
                    + "event stream by its first line, the others by their first object).")
    String format;

    @Option(names = "--consents", paramLabel = "FILE.csv",
            description = "Consents CSV: customer_id,platform,platform_user_id,handle,scopes,status,recorded_at "
                    + "(scopes separated by '|', ISO-8601 time). Without it nothing about any person is kept.")
    Path consents;

    @Option(names = "--profiles", paramLabel = "FILE", arity = "1..*",
            description = "Profile snapshots: ProfileSnapshot JSON lines, or Twitter user objects.")
    List<Path> profiles = new ArrayList<>();

    @Option(names = "--segments", paramLabel = "FILE.yaml", description = "Segment definitions (default: the built-in segments.yaml).")
    Path segments;

    @Option(names = "--taxonomy", paramLabel = "FILE", description = "Context taxonomy YAML (default: the built-in one).")
    Path taxonomy;

    @Option(names = "--erasures", paramLabel = "FILE", description = "Erasure requests, one customerId a line (after the activities).")
    Path erasures;

    @Option(names = "--merges", paramLabel = "FILE.csv", description = "Merges, CSV survivor_id,merged_id (after the activities).")
    Path merges;

    @Option(names = "--unmerges", paramLabel = "FILE.csv",
            description = "Unmerges, CSV survivor_id,merged_id (after the merges): the merged customer gets back the accounts that came with it.")
    Path unmerges;

    @Option(names = "--access-requests", paramLabel = "FILE",
            description = "Access requests, one customerId a line, answered last (after every other input): access-reports.jsonl holds "
                    + "each customer's report of everything held about them.")
    Path accessRequests;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
            description = "Folder for <topic>.jsonl, one record a line (default: ./out).")
    Path out;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "Give up if processing takes longer (default 30m).")
    String timeout;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Also load the results into this PostgreSQL (tables created if missing; docs/bi.md), "
                    + "e.g. jdbc:postgresql://localhost:5432/crm")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "Database user for --jdbc-url.")
    String jdbcUser;

    @Option(names = "--jdbc-password", paramLabel = "PASSWORD", description = "Database password for --jdbc-url "
            + "(or the environment variable SOCIALCRM_JDBC_PASSWORD).")
    String jdbcPassword;

    @Mixin
    StackOptions stack = new StackOptions();

    @Mixin
    ConfigOptions config = new ConfigOptions();

    private final PrintStream console = System.out;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Long> loaded = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        activities.addAll(activityFiles);
        if (activities.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Give the activity files to replay (FILE... or --activities FILE...)");
        }
        List<Path> inputs = new ArrayList<>(activities);
        inputs.addAll(profiles);
        for (Path p : new Path[] {consents, segments, taxonomy, erasures, merges, unmerges, accessRequests}) {
            if (p != null) {
                inputs.add(p);
            }
        }
        for (Path p : inputs) {
            if (!Files.isReadable(p)) {
                throw new ConfigException("Cannot read " + p.toAbsolutePath());
            }
        }
        BiSink.Database database = jdbcUrl == null ? null : new BiSink.Database(jdbcUrl, jdbcUser,
                jdbcPassword != null ? jdbcPassword : System.getenv("SOCIALCRM_JDBC_PASSWORD"));
        if (database != null) {
            BiSink.pluginFolder(); // fail before the replay, not after it
        }
        List<SegmentDefinition> definitions = segments == null ? SegmentFile.builtIn() : SegmentFile.load(segments);
        Duration limit = Settings.of(Map.of("timeout", timeout), "option --timeout").duration("timeout");
        Files.createDirectories(out);
        long started = System.nanoTime();
        // Kafka Streams starts as soon as the broker is up: its first rebalance overlaps the registry's start
        try (LocalStack local = LocalStack.startRegistryInBackground(stack.options())) {
            Map<String, String> commandDefaults = new LinkedHashMap<>();
            commandDefaults.put(AppConfig.SEGMENTS_REFRESH.name(), "10s");
            commandDefaults.put(AppConfig.SWEEP_TICK.name(), "250ms"); // the final pass over every customer takes ticks
            commandDefaults.put(AppConfig.METRICS_FLUSH.name(), "500ms"); // each phase waits for two flushes
            commandDefaults.put(AppConfig.HTTP_ENABLED.name(), "false");
            Map<String, String> flags = new LinkedHashMap<>();
            flags.put(AppConfig.TAXONOMY_FILE.name(), taxonomy == null ? null : taxonomy.toString());
            Settings settings = EmbeddedSettings.of(local, config, "socialcrm-replay", commandDefaults, flags);
            Topics topics = local.topics();
            SchemaRegistryConfig registry = StreamsProperties.registry(settings);
            console.printf("Embedded stack up: Kafka %s, schema registry %s%n", local.bootstrapServers(), local.schemaRegistryUrl());

            try (Pipeline pipeline = Pipeline.create(settings); Admin admin = local.admin()) {
                pipeline.start();
                local.awaitRegistry();
                SegmentSeeder.write(local.bootstrapServers(), new Properties(), topics, registry, definitions);
                loaded.put("segment definitions", (long) definitions.size());
                pipeline.awaitRunning(Duration.ofMinutes(2));
                Progress progress = new Progress(admin, pipeline.topology().applicationId());
                // the definitions first, in force on every partition before the data they judge: they reach the
                // customer stage through the same repartition topic as the activity, in no set order across tasks.
                // Nothing is counted yet, so no metrics flush is waited for: a second without growth once every
                // definition is processed and committed (the wait for two flushes made every replay 10 s longer)
                awaitIdle(progress, pipeline, List.of(topics.segmentDefinitions.name()), limit, Duration.ofSeconds(1));
                try (ContractWriter producer = writer(local.bootstrapServers(), registry)) {
                    if (consents != null) {
                        loadConsents(producer, topics);
                    } else {
                        console.println("No --consents: every actor is unconsented, so only anonymous counts will come out.");
                    }
                    for (Path file : profiles) {
                        loadProfiles(producer, topics, file);
                    }
                    producer.flush(); // consents and profiles in the log before the activity they gate
                    for (Path file : activities) {
                        loadActivities(producer, topics, file);
                    }
                }
                reportProblems();
                long landed = new Progress(admin, "none").endOffsets(List.of(topics.socialActivity.name())).values()
                        .stream().mapToLong(Long::longValue).sum();
                console.printf("social-activity holds %,d records%n", landed);
                List<String> inputTopics = List.of(topics.socialActivity.name(), topics.consents.name(),
                        topics.socialProfiles.name(), topics.segmentDefinitions.name());
                awaitIdle(progress, pipeline, inputTopics, limit);
                if (erasures != null || merges != null) {
                    applyRequests(local, registry, topics);
                    awaitIdle(progress, pipeline, List.of(topics.customerMerges.name(), topics.erasureRequests.name()), limit);
                }
                if (unmerges != null) {
                    applyUnmerges(local, registry, topics);
                    awaitIdle(progress, pipeline, List.of(topics.customerUnmerges.name()), limit);
                }
                if (accessRequests != null) {
                    applyAccessRequests(local, registry, topics);
                    awaitIdle(progress, pipeline, List.of(topics.accessRequests.name()), limit);
                }
                finalPass(progress, pipeline, limit);
            }
            Map<String, Long> written = new LinkedHashMap<>();
            for (Topic<?> topic : outputs(topics)) {
                written.put(topic.baseName(), TopicDump.write(local.bootstrapServers(), topic, registry, out));
            }
            AccessReportHistory.addTo(out);
            if (database != null) {
                loadIntoDatabase(local, topics, database, limit);
            }
            summary(written, (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    /** The outputs a replay writes out as {@code <topic>.jsonl}, and waits for to stop growing. */
    private static List<Topic<?>> outputs(Topics topics) {
        return List.of(topics.customerProfiles, topics.segmentChanges, topics.segmentShadowChanges, topics.segmentMembers,
                topics.contactOpportunities, topics.socialMetrics, topics.consentTakeUp, topics.accessReports, topics.erasureReceipts,
                topics.deadLetters);
    }

    /** Runs the BI sink over the outputs until it has written all of them, then stops it. */
    private void loadIntoDatabase(LocalStack local, Topics topics, BiSink.Database database, Duration limit) throws Exception {
        console.printf("Loading the results into %s...%n", database.url());
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("socialcrm-bi-");
        try (BiSink sink = BiSink.start(local.bootstrapServers(), local.schemaRegistryUrl(), topics, database, work);
             Admin admin = local.admin()) {
            sink.awaitCaughtUp(admin, limit);
        } finally {
            StackFiles.deleteRecursively(work);
        }
        console.printf("  loaded in %.1f s: tables customers, segment_members, segment_changes, social_metrics, erasure_receipts "
                + "(docs/bi.md)%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Waits until the application has processed and committed every record of {@code inputs} and of
     * its repartition topics, and then until its outputs have not grown for two metrics flushes and a
     * second: what is left after the last record is the counts a stage buffers until its next flush
     * (every {@code metrics.flush.interval}) and the hourly windows the metrics stage writes at its
     * own next flush.
     */
    private void awaitIdle(Progress progress, Pipeline pipeline, List<String> inputs, Duration limit) {
        awaitIdle(progress, pipeline, inputs, limit,
                pipeline.settings().duration(AppConfig.METRICS_FLUSH.name()).multipliedBy(2).plusSeconds(1));
    }

    /** As {@link #awaitIdle(Progress, Pipeline, List, Duration)}, with outputs that have not grown for {@code quiet}. */
    private void awaitIdle(Progress progress, Pipeline pipeline, List<String> inputs, Duration limit, Duration quiet) {
        List<String> written = outputs(pipeline.topology().topics()).stream().map(Topic::name).toList();
        AtomicLong lastReport = new AtomicLong();
        long started = System.nanoTime();
        AtomicLong consumedAt = new AtomicLong();
        progress.awaitIdle(inputs, written, quiet, limit, lag -> {
            if (lag == 0 && consumedAt.get() == 0) {
                consumedAt.set(System.nanoTime());
                console.printf("  every record processed after %.1f s; waiting for the last counts%n",
                        (consumedAt.get() - started) / 1e9);
            } else if (lag > 0 && System.nanoTime() - lastReport.get() > 2_000_000_000L) {
                lastReport.set(System.nanoTime());
                console.printf("  processing: %,d records to go%n", lag);
            }
        });
        console.printf("  settled after %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Every customer evaluated once more as of the replay's last stream time, and the outputs settled
     * after it: what time alone changes (a customer turning dormant, an influence rank moving) is in the
     * results whether or not a timed pass ({@code segments.refresh.interval}) happened to run after the
     * last input. (An access report's segment history is read from the outputs after this pass.)
     */
    private void finalPass(Progress progress, Pipeline pipeline, Duration limit) {
        console.println("Re-evaluating every customer as of the last event...");
        long started = System.nanoTime();
        long deadline = started + limit.toNanos();
        long request = pipeline.topology().passes().request();
        while (!pipeline.topology().passes().done(request)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The last pass over every customer did not finish within " + limit.toSeconds() + " s");
            }
            Pipeline.sleep(50);
        }
        console.printf("  every customer re-evaluated after %.1f s%n", (System.nanoTime() - started) / 1e9);
        awaitIdle(progress, pipeline, List.of(), limit);
    }

    private void loadConsents(ContractWriter producer, Topics topics) throws IOException {
        AtomicLong count = new AtomicLong();
        ConsentCsv.read(consents, item -> {
            if (accept(item)) {
                ConsentRecord c = item.value();
                producer.send(topics.consents, c.getPlatform() + ":" + c.getPlatformUserId(), c);
                count.incrementAndGet();
            }
        });
        loaded.put("consents", count.get());
    }

    private void loadProfiles(ContractWriter producer, Topics topics, Path file) throws IOException {
        AtomicLong count = new AtomicLong();
        ProfileFiles.read(file, item -> {
            if (accept(item)) {
                ProfileSnapshot p = item.value();
                producer.send(topics.socialProfiles, p.getPlatform() + ":" + p.getPlatformUserId(), p);
                count.incrementAndGet();
            }
        });
        loaded.merge("profile snapshots", count.get(), Long::sum);
    }

    private void loadActivities(ContractWriter producer, Topics topics, Path file) throws IOException {
        ActivityFormat fileFormat = "auto".equalsIgnoreCase(format) ? ActivityFormat.detect(file) : ActivityFormat.of(format);
        AtomicLong activityCount = new AtomicLong();
        AtomicLong notices = new AtomicLong();
        AtomicLong snapshots = new AtomicLong();
        long started = System.nanoTime();
        ActivityFiles.read(file, fileFormat, item -> {
            if (!accept(item)) {
                return;
            }
            Mapped mapped = item.value();
            if (mapped.isNotice()) {
                notices.incrementAndGet();
            }
            for (SocialActivity a : mapped.activities()) {
                producer.send(topics.socialActivity, a.getPlatform() + ":" + a.getActorId(), a);
                if (activityCount.incrementAndGet() % 50_000 == 0) {
                    console.printf("  loading %s: %,d activities%n", file.getFileName(), activityCount.get());
                }
            }
            for (ProfileSnapshot p : mapped.profiles()) {
                producer.send(topics.socialProfiles, p.getPlatform() + ":" + p.getPlatformUserId(), p);
                snapshots.incrementAndGet();
            }
        });
        console.printf("Loaded %,d activities from %s (%s)%s in %.1f s%n", activityCount.get(), file.getFileName(), fileFormat.id(),
                notices.get() > 0 ? ", " + notices.get() + " stream notices (delete, limit, ...) handled" : "",
                (System.nanoTime() - started) / 1e9);
        loaded.merge("activities", activityCount.get(), Long::sum);
        loaded.merge("profile snapshots", snapshots.get(), Long::sum);
    }

    private boolean accept(FileItem<?> item) {
        if (!item.ok()) {
            problems.add(item.location() + ": " + item.error());
            return false;
        }
        return true;
    }

    private void reportProblems() {
        if (problems.isEmpty()) {
            return;
        }
        console.printf("%d bad line(s) skipped:%n", problems.size());
        problems.stream().limit(20).forEach(p -> console.println("  " + p));
        if (problems.size() > 20) {
            console.printf("  ... and %d more%n", problems.size() - 20);
        }
    }

    private void applyUnmerges(LocalStack local, SchemaRegistryConfig registry, Topics topics) throws IOException {
        long now = Instant.now().toEpochMilli();
        try (ContractWriter producer = writer(local.bootstrapServers(), registry)) {
            long count = forEachPair(unmerges, (survivor, merged) -> producer.send(topics.customerUnmerges, survivor,
                    CustomerUnmerge.newBuilder().setSurvivorId(survivor).setMergedId(merged).setRequestedAt(Instant.ofEpochMilli(now)).build()));
            loaded.put("unmerges", count);
        }
        reportProblems();
    }

    /** Each {@code survivor_id,merged_id} line of a CSV file (a header line is skipped); bad lines are problems. */
    private long forEachPair(Path file, java.util.function.BiConsumer<String, String> action) throws IOException {
        AtomicLong count = new AtomicLong();
        forEachLine(file, (text, line) -> {
            String[] cols = text.split(",");
            if (text.isBlank() || (line == 1 && text.trim().toLowerCase(Locale.ROOT).startsWith("survivor_id"))) {
                return;
            }
            if (cols.length != 2 || cols[0].isBlank() || cols[1].isBlank()) {
                problems.add(file.getFileName() + ":" + line + ": expected survivor_id,merged_id");
                return;
            }
            action.accept(cols[0].trim(), cols[1].trim());
            count.incrementAndGet();
        });
        return count.get();
    }

    private void applyRequests(LocalStack local, SchemaRegistryConfig registry, Topics topics) throws IOException {
        long now = Instant.now().toEpochMilli();
        try (ContractWriter producer = writer(local.bootstrapServers(), registry)) {
            if (merges != null) {
                long count = forEachPair(merges, (survivor, merged) -> producer.send(topics.customerMerges, merged,
                        CustomerMerge.newBuilder().setSurvivorId(survivor).setMergedId(merged).setRequestedAt(Instant.ofEpochMilli(now)).build()));
                loaded.put("merges", count);
            }
            if (erasures != null) {
                AtomicLong count = new AtomicLong();
                forEachLine(erasures, (id, line) -> {
                    if (id.isBlank()) {
                        return;
                    }
                    String customerId = id.trim();
                    producer.send(topics.erasureRequests, customerId, ErasureRequest.newBuilder()
                            .setRequestId("replay-" + count.incrementAndGet()).setCustomerId(customerId)
                            .setRequestedAt(Instant.ofEpochMilli(now)).build());
                });
                loaded.put("erasure requests", count.get());
            }
        }
        reportProblems();
    }

    private void applyAccessRequests(LocalStack local, SchemaRegistryConfig registry, Topics topics) throws IOException {
        long now = Instant.now().toEpochMilli();
        AtomicLong count = new AtomicLong();
        try (ContractWriter producer = writer(local.bootstrapServers(), registry)) {
            forEachLine(accessRequests, (id, line) -> {
                if (id.isBlank()) {
                    return;
                }
                String customerId = id.trim();
                producer.send(topics.accessRequests, customerId, AccessRequest.newBuilder().setRequestId("replay-access-" + count.incrementAndGet())
                        .setCustomerId(customerId).setRequestedAt(Instant.ofEpochMilli(now)).build());
            });
        }
        loaded.put("access requests", count.get());
        reportProblems();
    }

    /** Hands each line (numbered from 1) to {@code action}; a file that is not UTF-8 text is reported, not fatal. */
    private void forEachLine(Path file, java.util.function.ObjLongConsumer<String> action) throws IOException {
        long line = 0;
        try (BufferedReader in = new BufferedReader(TextFiles.open(file))) {
            String text;
            while ((text = in.readLine()) != null) {
                line++;
                action.accept(text, line);
            }
        } catch (TextFiles.NotText e) {
            FileItem<?> refused = e.restSkipped(file.getFileName().toString(), line + 1);
            problems.add(refused.location() + ": " + refused.error());
        }
    }

    private void summary(Map<String, Long> written, double seconds) throws IOException {
        long seen = 0;
        long accepted = 0;
        long dropped = 0;
        Map<String, JsonNode> windows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out.resolve("social-metrics.jsonl"))) {
            JsonNode value = PlainJson.MAPPER.readTree(line).get("value");
            windows.put(value.get("platform").asText() + "@" + value.get("windowStart").asText(), value);
        }
        for (JsonNode w : windows.values()) {
            seen += w.get("activitiesSeen").asLong();
            accepted += w.get("activitiesAccepted").asLong();
            dropped += w.get("droppedNoConsent").asLong();
        }
        long entered = 0;
        long exited = 0;
        for (String line : Files.readAllLines(out.resolve("segment-changes.jsonl"))) {
            String change = PlainJson.MAPPER.readTree(line).get("value").get("change").asText();
            if (change.equals("ENTERED")) {
                entered++;
            } else {
                exited++;
            }
        }
        long customers = Files.readAllLines(out.resolve("customer-profiles.jsonl")).stream()
                .map(l -> {
                    try {
                        return PlainJson.MAPPER.readTree(l).get("key").asText();
                    } catch (IOException e) {
                        return "";
                    }
                }).distinct().count();
        console.printf("%nReplay finished in %.1f s%n", seconds);
        console.printf("  read:      %s; %d bad line(s) skipped%n", String.join(", ", loaded.entrySet().stream()
                .map(e -> String.format("%,d %s", e.getValue(), e.getKey())).toList()), problems.size());
        console.printf("  processed: %,d activities (duplicates excluded), %,d with consent, %,d dropped for no consent%n",
                seen, accepted, dropped);
        console.printf("  results:   %,d customer profiles; %,d segment changes (%,d entered, %,d exited); %,d dead letter(s)%n",
                customers, entered + exited, entered, exited, written.get("dead-letters"));
        console.printf("  written to %s:%n", out.toAbsolutePath());
        written.forEach((topic, count) -> console.printf("    %-28s %,d record(s)%n", topic + ".jsonl", count));
    }

    /** The loader's producer: large batches; the safety settings and stall detection come with {@link ContractWriter}. */
    private static ContractWriter writer(String bootstrapServers, SchemaRegistryConfig registry) {
        return new ContractWriter(bootstrapServers, Producers.BULK_LOAD, registry, DeliveryTracker.DEFAULT_STALL_LIMIT);
    }
}
