package io.socialcrm.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.bench.ChildJvm;
import io.socialcrm.bench.PassThrough;
import io.socialcrm.common.Names;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.contract.ChangeTrigger;
import io.socialcrm.contract.Topic;
import io.socialcrm.contract.Topics;
import io.socialcrm.generator.ActivityGenerator;
import io.socialcrm.generator.KafkaSink;
import io.socialcrm.ops.TopicAdmin;
import io.socialcrm.serde.AvroSerde;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.stack.StackFiles;
import io.socialcrm.topology.BoundedRocksDb;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code socialcrm bench}: throughput of the full topology against the engine's own limit on this
 * machine (a pass-through Streams application over the same records, same guarantee; and the same
 * across one repartition topic, the least a topology with state under two keys does), event to
 * segment-change latency at a fixed rate, peak memory, state per customer and restore time, on the
 * embedded broker and registry. Ratios, not absolute times: machines are shared and noisy.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure, on the embedded stack, in one run: (a) a pass-through Kafka Streams application reading and "
                + "writing the pre-loaded activity (the engine's limit here), the same across one repartition topic (the least "
                + "a topology with state under two keys does) and (b) the full socialcrm topology, all exactly-once, each in a "
                + "JVM of its own; their events/s and ratios; event -> segment-change latency at a fixed "
                + "rate; peak RSS of the application; state bytes per customer; time to restore the state from the changelogs "
                + "into an empty state directory. --micro runs the JMH microbenchmarks of the hot path instead.",
        footer = {"", "Examples:", "  socialcrm bench", "  socialcrm bench --events 1000000 --customers 1000000 --json > bench.json",
                "  socialcrm bench --micro"})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--events", paramLabel = "N", defaultValue = "200000", description = "Activities to pre-load (default 200,000).")
    long events;

    @Option(names = "--customers", paramLabel = "C", defaultValue = "20000", description = "Customers in the population (default 20,000).")
    int customers;

    @Option(names = "--opt-in", paramLabel = "RATE", defaultValue = "0.6", description = "Fraction of accounts opted in (default 0.6).")
    double optIn;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "5000",
            description = "Rate of the latency phase (default 5,000 events/s).")
    int rate;

    @Option(names = "--latency-duration", paramLabel = "D", defaultValue = "20s", description = "Length of the latency phase (default 20s).")
    String latencyDuration;

    @Option(names = "--app-heap", paramLabel = "SIZE", defaultValue = "1g", description = "-Xmx of the applications under test (default 1g).")
    String heap;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the generator (default 42).")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting of the full application under test (socialcrm or Kafka Streams), e.g. "
                    + "--set statestore.cache.max.bytes=67108864; repeatable, checked before the run starts. The pass-through is not affected.")
    Map<String, String> appSettings = new java.util.LinkedHashMap<>();

    @Option(names = "--json", description = "Print the figures as JSON on stdout (progress goes to stderr).")
    boolean json;

    @Option(names = "--micro", description = "Run the JMH microbenchmarks of the in-process hot path instead.")
    boolean micro;

    @Mixin
    StackOptions stack = new StackOptions();

    private PrintStream console;

    @Override
    public Integer call() throws Exception {
        console = json ? System.err : System.out;
        if (micro) {
            return io.socialcrm.bench.Microbenchmarks.run(console, json ? System.out : null);
        }
        validate();
        Duration latencyLength = io.socialcrm.config.Settings.of(Map.of("d", latencyDuration), "option --latency-duration").duration("d");
        Path work = Files.createTempDirectory("socialcrm-bench-");
        ObjectNode report = PlainJson.MAPPER.createObjectNode();
        try (LocalStack local = LocalStack.start(stack.options())) {
            Topics topics = Topics.withPrefix("bench.");
            String output = "bench.passthrough-out";
            try (Admin admin = local.admin()) {
                new TopicAdmin(admin, topics).createMissing(stack.partitions, (short) 1,
                        Map.of("retention.ms", "-1", "segment.ms", Long.toString(io.socialcrm.stack.EmbeddedKafka.KEEP_MS)));
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(output, stack.partitions, (short) 1)))
                        .all().get(60, TimeUnit.SECONDS);
                new TopicAdmin(admin, topics).awaitWritable(List.of(output));
            }
            SchemaRegistryConfig registry = SchemaRegistryConfig.of(local.schemaRegistryUrl());
            ActivityGenerator generator = ActivityGenerator.create(customers, optIn, seed, Taxonomy.builtIn());
            Instant now = Instant.now();
            long loaded = preload(local, topics, registry, generator, now);
            report.put("events", loaded);
            report.put("customers", customers);
            report.put("accounts", generator.population().accounts.size());
            report.put("consentedAccounts", generator.consentedAccounts());
            report.put("partitions", stack.partitions);
            report.put("cores", Runtime.getRuntime().availableProcessors());

            // (a) the engine's limit: records in, the same records out
            console.println("(a) pass-through application...");
            double passBefore = passThrough(local, work, topics, output, loaded, 1, false, report);
            console.printf("    %,.0f events/s%n", passBefore);
            // (a') the least a topology with state under two keys does: each record across one repartition topic
            console.println("(a') pass-through across one repartition topic...");
            double oneHop = passThrough(local, work, topics, output, loaded, 1, true, report);
            console.printf("    %,.0f events/s: %.2fx the pass-through before it%n", oneHop, oneHop / passBefore);

            // (b) the full topology, exactly-once
            int port = Service.freePort("127.0.0.1");
            Path state = work.resolve("app-state");
            Path appProps = work.resolve("app.properties");
            Files.writeString(appProps, String.join("\n",
                    "bootstrap.servers=" + local.bootstrapServers(), "schema.registry.url=" + local.schemaRegistryUrl(),
                    "application.id=bench-app", "topics.prefix=" + topics.prefix(), "replication.factor=1",
                    "engagers.salt=bench-salt-0123456789abcdef", "state.dir=" + state, "http.host=127.0.0.1",
                    "http.port=" + port) + "\n");
            for (Map.Entry<String, String> setting : appSettings.entrySet()) {
                Files.writeString(appProps, setting.getKey() + "=" + setting.getValue() + "\n", java.nio.file.StandardOpenOption.APPEND);
            }
            if (!appSettings.isEmpty()) {
                report.putPOJO("appSettings", appSettings);
            }
            console.println("(b) full socialcrm topology...");
            double fullRate;
            RecordsWritten written;
            ChildJvm app = ChildJvm.start(heap, work.resolve("app.log"), Main.class.getName(), "run", "--config", appProps.toString());
            try {
                List<String> watched = new ArrayList<>(Names.repartitionTopics("bench-app"));
                watched.addAll(List.of(topics.customerProfiles.name(), topics.segmentChanges.name(), topics.segmentMembers.name()));
                // the metrics path writes on a wall-clock timer (metrics.flush.interval, 5 s by default), whatever the
                // pace: its last flush after the work is waited for and reported, but does not stop the clock
                List<String> timed = List.of(Names.repartitionTopic("bench-app", Names.METRICS_DELTAS));
                watched.removeAll(timed);
                Rate full = throughput(local, app, "bench-app", List.of(topics.socialActivity.name(), topics.consents.name(),
                        topics.socialProfiles.name()), watched, timed, loaded);
                fullRate = full.eventsPerSecond();
                report.put("fullEventsPerSecond", Math.round(fullRate));
                report.put("fullSeconds", Math.round(full.seconds() * 100) / 100.0);
                report.put("metricsFlushedSecondsAfter", Math.round(full.timedAfterSeconds() * 100) / 100.0);
                report.putPOJO("fullLastWriteSecondsByTopic", full.lastWriteSeconds());
                console.printf("    %,.0f events/s: %.2fx the pass-through before it%n", fullRate, fullRate / passBefore);
                written = recordsWritten(local, topics, "bench-app", port);
                report.put("recordsWrittenPerActivity", Math.round(written.total() * 1000.0 / loaded) / 1000.0);
                ObjectNode byTopic = report.putObject("recordsWrittenPerActivityByTopic");
                written.byTopic().forEach((topic, count) -> byTopic.put(topic, Math.round(count * 1000.0 / loaded) / 1000.0));
                console.printf("    %.2f records written per activity (the pass-through: 1)%n", (double) written.total() / loaded);
                console.printf("    latency at %,d events/s for %s...%n", rate, latencyLength);
                report.set("latencyMs", latency(local, topics, registry, generator, latencyLength, rate));
                int below = (int) Math.max(100, Math.min(rate, fullRate * 0.4));
                console.printf("    latency at %,d events/s (40%% of what it sustains) for %s...%n", below, latencyLength);
                report.set("latencyBelowCapacityMs", latency(local, topics, registry, generator, latencyLength, below));
                report.put("peakRssMB", app.peakRss() >> 20);
            } finally {
                app.close();
            }
            // (a) again: the machine is shared and its speed drifts within minutes (the pass-through has
            // run at 28,000 and at 56,000/s a quarter of an hour apart); the ratio is to the two runs'
            // mean, and both are reported
            console.println("(a) pass-through application again...");
            double passAfter = passThrough(local, work, topics, output, loaded, 2, false, report);
            double passRate = (passBefore + passAfter) / 2;
            console.printf("    %,.0f events/s%n", passAfter);
            report.put("passThroughEventsPerSecond", Math.round(passRate));
            report.putArray("passThroughRunsEventsPerSecond").add(Math.round(passBefore)).add(Math.round(passAfter));
            report.put("ratio", Math.round(fullRate / passRate * 100) / 100.0);
            report.put("oneHopEventsPerSecond", Math.round(oneHop));
            report.put("oneHopRatio", Math.round(oneHop / passRate * 100) / 100.0);
            report.put("ratioToOneHop", Math.round(fullRate / oneHop * 100) / 100.0);
            long customersWithState = latestKeys(local, topics.customerProfiles);
            long stateBytes = size(state);
            report.put("customersWithState", customersWithState);
            report.put("stateBytes", stateBytes);
            report.put("stateBytesPerCustomer", customersWithState == 0 ? 0 : stateBytes / customersWithState);
            ObjectNode byStore = report.putObject("stateBytesByStore");
            java.util.Map<String, Long> onDisk = storeSizes(state);
            onDisk.forEach(byStore::put);
            // the data files once RocksDB has compacted them: what the stores converge to, without the
            // versions of a key that later writes shadow (the next compactions would drop them) and
            // without RocksDB's own files (OPTIONS, MANIFEST: about 20 KB a store and task)
            compactAll(state);
            java.util.Map<String, Long> compacted = storeSizes(state, f -> f.getFileName().toString().endsWith(".sst"));
            long compactedBytes = compacted.values().stream().mapToLong(Long::longValue).sum();
            report.put("stateBytesCompacted", compactedBytes);
            report.put("stateBytesPerCustomerCompacted", customersWithState == 0 ? 0 : compactedBytes / customersWithState);
            ObjectNode byStoreCompacted = report.putObject("stateBytesByStoreCompacted");
            compacted.forEach(byStoreCompacted::put);
            // stores held in the heap (seen-batches, the metrics buffers, definitions): the changelogs of
            // stores with no files in the state directory, measured as what they hold once compacted (the
            // latest key and value of each key)
            long inMemoryBytes = 0;
            ObjectNode byStoreInMemory = report.putObject("inMemoryStateBytesByStore");
            for (String topic : written.byTopic().keySet()) {
                String store = topic.startsWith("bench-app-") && topic.endsWith("-changelog")
                        ? topic.substring("bench-app-".length(), topic.length() - "-changelog".length()) : null;
                if (store != null && !onDisk.containsKey(store)) {
                    long bytes = latestBytes(local, topic);
                    byStoreInMemory.put(store, bytes);
                    inMemoryBytes += bytes;
                }
            }
            report.put("inMemoryStateBytes", inMemoryBytes);
            report.put("stateBytesPerCustomerWithInMemory",
                    customersWithState == 0 ? 0 : (compactedBytes + inMemoryBytes) / customersWithState);

            // restore: the same application, its state directory gone
            StackFiles.deleteRecursively(state);
            console.println("(c) restore into an empty state directory...");
            long started = System.nanoTime();
            try (ChildJvm restored = ChildJvm.start(heap, work.resolve("restore.log"), Main.class.getName(), "run", "--config",
                    appProps.toString())) {
                awaitHealthy(port, restored);
                report.put("restoreSeconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
                Matcher m = Pattern.compile("Restored (\\d+) records of (\\d+) changelog partitions in (\\d+) ms").matcher(restored.output());
                long records = 0;
                long millis = 0;
                while (m.find()) {
                    records += Long.parseLong(m.group(1));
                    millis += Long.parseLong(m.group(3));
                }
                report.put("restoredRecords", records);
                report.put("restoreStreamsSeconds", Math.round(millis / 100.0) / 10.0);
            }
        } finally {
            StackFiles.deleteRecursively(work);
        }
        print(report);
        return 0;
    }

    private void validate() {
        if (events < 1_000 || events > 100_000_000) {
            throw new org.apache.kafka.common.config.ConfigException("--events", events, "must be from 1,000 to 100,000,000");
        }
        if (customers < 10 || customers > 10_000_000) {
            throw new org.apache.kafka.common.config.ConfigException("--customers", customers, "must be from 10 to 10,000,000");
        }
        if (rate < 1 || rate > 1_000_000) {
            throw new org.apache.kafka.common.config.ConfigException("--rate", rate, "must be from 1 to 1,000,000");
        }
        checkSettings();
        if (stack.options().registry() != LocalStack.RegistryKind.APICURIO) {
            throw new org.apache.kafka.common.config.ConfigException("--registry", stack.registry,
                    "bench runs the applications under test in JVMs of their own, which need a real registry: use apicurio");
        }
    }

    /**
     * The settings given with {@code --set}, checked as the application will check them (its own and
     * Kafka Streams'), so that a typo fails now rather than minutes in, after the pass-through.
     */
    private void checkSettings() {
        Map<String, String> values = new java.util.LinkedHashMap<>(Map.of("bootstrap.servers", "localhost:9092",
                "schema.registry.url", "http://localhost:8081", "engagers.salt", "bench-salt-0123456789abcdef"));
        values.putAll(appSettings);
        try {
            io.socialcrm.config.Settings settings = io.socialcrm.config.Settings.layered(io.socialcrm.config.AppConfig.defaults(),
                    null, Map.of(), values);
            io.socialcrm.config.AppConfig.rejectUnknown(settings);
            new org.apache.kafka.streams.StreamsConfig(io.socialcrm.topology.StreamsProperties.of(settings,
                    io.socialcrm.common.TopologySettings.from(settings, stack.partitions)));
        } catch (RuntimeException e) {
            throw new org.apache.kafka.common.config.ConfigException("--set: " + e.getMessage());
        }
    }

    /** Writes the population's consents and profiles and {@code events} activities over the 30 days before {@code now}. */
    private long preload(LocalStack local, Topics topics, SchemaRegistryConfig registry, ActivityGenerator generator, Instant now) {
        console.printf("Loading %,d customers and %,d activities...%n", customers, events);
        long started = System.nanoTime();
        Instant start = now.minus(Duration.ofDays(30));
        long step = Duration.ofDays(30).minusHours(1).toMillis() / events;
        long loaded;
        try (KafkaSink loader = new KafkaSink(local.bootstrapServers(), loaderSettings(), topics, registry)) {
            generator.initial(start, loader);
            for (long i = 0; loader.activitiesSent() < events; i++) {
                generator.next(start.plusMillis(i * step), loader);
            }
            loaded = loader.activitiesSent();
        }
        console.printf("    loaded in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return loaded;
    }

    /** Large batches for the pre-load. */
    private static Properties loaderSettings() {
        Properties props = new Properties();
        props.putAll(io.socialcrm.ops.Producers.BULK_LOAD);
        return props;
    }

    /**
     * Runs the pass-through (run {@code round}: an application of its own, from the input's start) with
     * the application's Kafka Streams and producer defaults (exactly-once, its commit interval,
     * compression, linger): the two sides differ only in what they do. Returns its activities a second;
     * the first run's peak RSS goes into {@code report}. With {@code hop}, the one-hop variant
     * ({@link PassThrough#HOP}), timed as the full topology is: until its repartition topic and its
     * output have stopped growing.
     */
    private double passThrough(LocalStack local, Path work, Topics topics, String output, long loaded, int round, boolean hop,
                               ObjectNode report) throws Exception {
        String id = hop ? "bench-onehop" : "bench-passthrough-" + round;
        Path passProps = work.resolve(id + ".properties");
        Properties pass = new Properties();
        pass.put("bootstrap.servers", local.bootstrapServers());
        pass.put("application.id", id);
        pass.putAll(io.socialcrm.config.AppConfig.STREAMS_DEFAULTS);
        io.socialcrm.topology.StreamsProperties.defaultCommitInterval(pass);
        pass.put("replication.factor", "1");
        pass.put("state.dir", work.resolve(id + "-state").toString());
        pass.put(PassThrough.INPUT, topics.socialActivity.name());
        pass.put(PassThrough.OUTPUT, output);
        pass.put(PassThrough.HOP, Boolean.toString(hop));
        try (var out = Files.newOutputStream(passProps)) {
            pass.store(out, "socialcrm bench: pass-through");
        }
        String hopTopic = id + "-" + PassThrough.HOP_TOPIC;
        List<String> written = hop ? List.of(hopTopic, output) : List.of();
        try (ChildJvm app = ChildJvm.start(heap, work.resolve(id + ".log"), PassThrough.class.getName(), passProps.toString())) {
            double rate = throughput(local, app, id, List.of(topics.socialActivity.name()), written, List.of(), loaded).eventsPerSecond();
            if (round == 1 && !hop) {
                report.put("passThroughPeakRssMB", app.peakRss() >> 20);
            }
            if (hop) {
                // what crossed the hop: its records and the transactions' commit markers
                try (Admin admin = local.admin()) {
                    report.put("oneHopRepartitionEndOffsets", new Progress(admin, id).position(List.of(hopTopic)).end());
                }
            }
            return rate;
        }
    }

    /**
     * A measured run: activities a second, its seconds, how long after its end the last write of a
     * timed topic came (0 when there is none), and when each watched topic last grew (seconds from
     * the run's start): which stage's writes ended the run.
     */
    record Rate(double eventsPerSecond, double seconds, double timedAfterSeconds, Map<String, Double> lastWriteSeconds) {
    }

    /**
     * Events/s from the first commit of the group to the moment the work was done: every input record
     * committed, and none of {@code written} (the repartition topics and outputs downstream of the
     * inputs) growing any more for two seconds; the end is when the last of them last grew. Counting
     * only the inputs would stop the clock while later stages still work through their backlog.
     * {@code timed} are topics written on a wall-clock timer: they must be quiet too before the run
     * ends (two seconds past the timer's last write), but their last write does not move the end, as
     * waiting for a timer is no work (with them in the end, a run's time was rounded up to the next
     * metrics flush: up to 5 s of a 20–40 s run).
     */
    private Rate throughput(LocalStack local, ChildJvm app, String group, List<String> inputs, List<String> written,
                            List<String> timed, long events) throws Exception {
        try (Admin admin = local.admin()) {
            Progress progress = new Progress(admin, group);
            long total = progress.endOffsets(inputs).values().stream().mapToLong(Long::longValue).sum();
            long first = 0;
            long lastGrowth = 0;
            long lastTimedGrowth = 0;
            long lastLag = -1;
            Map<TopicPartition, Long> lastEnds = Map.of();
            Map<TopicPartition, Long> lastTimedEnds = Map.of();
            Map<String, Long> lastWrite = new java.util.TreeMap<>();
            long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(2);
            while (System.nanoTime() < deadline) {
                if (!app.alive()) {
                    throw new IllegalStateException("The application under test stopped: " + tail(app.output()));
                }
                long lag = lagOrTotal(progress, inputs, total);
                long now = System.nanoTime();
                if (first == 0 && lag < total) {
                    first = now;
                }
                Map<TopicPartition, Long> ends = endsOrNull(progress, written);
                Map<TopicPartition, Long> timedEnds = endsOrNull(progress, timed);
                noteGrowth(lastEnds, ends, now, lastWrite);
                noteGrowth(lastTimedEnds, timedEnds, now, lastWrite);
                // the last change seen: a topic grew, or the input lag moved (to 0 at last)
                if (ends == null || !ends.equals(lastEnds) || lag != lastLag) {
                    lastGrowth = now;
                    lastEnds = ends;
                    lastLag = lag;
                }
                if (timedEnds == null || !timedEnds.equals(lastTimedEnds)) {
                    lastTimedGrowth = now;
                    lastTimedEnds = timedEnds;
                }
                long quiet = TimeUnit.SECONDS.toNanos(written.isEmpty() && timed.isEmpty() ? 0 : 2);
                if (lag == 0 && now - Math.max(lastGrowth, lastTimedGrowth) >= quiet) {
                    double seconds = Math.max(1e-3, (lastGrowth - first) / 1e9);
                    Map<String, Double> lastWriteSeconds = new java.util.TreeMap<>();
                    long start = first;
                    lastWrite.forEach((topic, at) -> lastWriteSeconds.put(topic, Math.round((at - start) / 1e7) / 100.0));
                    return new Rate(events / seconds, seconds, Math.max(0, lastTimedGrowth - lastGrowth) / 1e9, lastWriteSeconds);
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("The application under test did not finish within 2 hours");
    }

    /**
     * Records the application wrote, in all and by topic. The total is its stream threads' producers'
     * own count ({@code kafka_producer_record_send_total} in its {@code /metrics}; records of aborted
     * transactions included: they were written). By topic: the outputs and changelogs read back
     * (committed records), and for the repartition topics, which cannot be read back (Streams purges
     * what it has consumed), what Kafka Streams counts it sent to them. That count belongs to a task
     * and starts again at 0 when the task is closed and made anew (a rebalance, a fenced producer):
     * the outputs are read back so that such a run still reports them.
     */
    private static RecordsWritten recordsWritten(LocalStack local, Topics topics, String applicationId, int port)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        long total = sumMetric(metrics, "kafka_producer_record_send_total", null);
        if (total == 0) {
            throw new IllegalStateException("The application's /metrics has no producer record count");
        }
        java.util.Set<String> outputs = new java.util.HashSet<>();
        for (io.socialcrm.contract.Topic<?> topic : topics.all()) {
            if (topic.kind() != io.socialcrm.contract.TopicKind.INPUT_APPEND
                    && topic.kind() != io.socialcrm.contract.TopicKind.INPUT_COMPACTED) {
                outputs.add(topic.name());
            }
        }
        java.util.Set<String> names;
        try (Admin admin = local.admin()) {
            names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
        }
        Map<String, Long> byTopic = new java.util.TreeMap<>();
        for (String name : names) {
            if (name.startsWith(applicationId + "-") && name.endsWith("-repartition")) {
                byTopic.put(name, sumMetric(metrics, "kafka_stream_topic_records_produced_total", name));
            } else if (name.startsWith(applicationId + "-") || outputs.contains(name)) {
                java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
                TopicDump.forEachRecord(local.bootstrapServers(), name, record -> n.incrementAndGet());
                byTopic.put(name, n.get());
            }
        }
        return new RecordsWritten(total, byTopic);
    }

    private record RecordsWritten(long total, Map<String, Long> byTopic) {
    }

    /** The sum of a Prometheus counter over the stream threads' clients, for one topic or (null) any. */
    private static long sumMetric(String metrics, String name, String topic) {
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)}\\s+([0-9.eE+]+)$", Pattern.MULTILINE).matcher(metrics);
        long sum = 0;
        while (m.find()) {
            String labels = m.group(1);
            boolean ours = labels.contains("-StreamThread-");
            boolean matches = topic == null ? !labels.contains("topic=") : labels.contains("topic=\"" + topic + "\"");
            if (ours && matches) {
                sum += (long) Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** Notes {@code now} for each topic whose end offsets moved between {@code before} and {@code after}. */
    private static void noteGrowth(Map<TopicPartition, Long> before, Map<TopicPartition, Long> after, long now, Map<String, Long> lastWrite) {
        if (after == null) {
            return;
        }
        after.forEach((partition, end) -> {
            if (!end.equals(before == null ? null : before.get(partition))) {
                lastWrite.put(partition.topic(), now);
            }
        });
    }

    /** End offsets of {@code topics}, or null while one does not exist yet (the application creates its own). */
    private static Map<TopicPartition, Long> endsOrNull(Progress progress, List<String> topics) {
        try {
            return topics.isEmpty() ? Map.of() : progress.endOffsets(topics);
        } catch (IllegalStateException notYet) {
            return null;
        }
    }

    private static long lagOrTotal(Progress progress, List<String> inputs, long total) {
        try {
            return progress.lag(inputs);
        } catch (IllegalStateException noGroupYet) {
            return total;
        }
    }

    /** Event to segment-change latency of the changes events cause, producing at the fixed rate. */
    private ObjectNode latency(LocalStack local, Topics topics, SchemaRegistryConfig registry, ActivityGenerator generator,
                               Duration length, int rate) throws Exception {
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(200);
        AtomicBoolean running = new AtomicBoolean(true);
        var changes = AvroSerde.specific(SegmentChange.class, registry, false).deserializer();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + rate);
        Instant from = Instant.now();
        Thread watcher;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.segmentChanges.name()));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            watcher = new Thread(() -> {
                try (KafkaSink loader = new KafkaSink(local.bootstrapServers(), loaderSettings(), topics, registry)) {
                    long started = System.nanoTime();
                    long sent = 0;
                    while (System.nanoTime() - started < length.toNanos()) {
                        long due = (long) ((System.nanoTime() - started) / 1e9 * rate);
                        while (sent < due) {
                            generator.next(Instant.now(), loader);
                            sent++;
                        }
                        loader.flush(); // the latency phase must not wait for batches to fill
                        Pipeline.sleep(5);
                    }
                } finally {
                    running.set(false);
                }
            }, "bench-load");
            watcher.start();
            long drainUntil = Long.MAX_VALUE;
            while (System.nanoTime() < drainUntil) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    SegmentChange c = changes.deserialize(r.topic(), r.value());
                    if (ChangeTrigger.of(r.headers()) == ChangeTrigger.EVENT && !c.getAt().isBefore(from)) {
                        sketch.update(Math.max(0, System.currentTimeMillis() - c.getAt().toEpochMilli()));
                    }
                }
                if (!running.get() && drainUntil == Long.MAX_VALUE) {
                    drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                }
            }
            watcher.join();
        }
        ObjectNode node = PlainJson.MAPPER.createObjectNode();
        node.put("rate", rate);
        node.put("changes", sketch.getN());
        if (!sketch.isEmpty()) {
            node.put("p50", Math.round(sketch.getQuantile(0.5, QuantileSearchCriteria.INCLUSIVE)));
            node.put("p99", Math.round(sketch.getQuantile(0.99, QuantileSearchCriteria.INCLUSIVE)));
            node.put("max", Math.round(sketch.getMaxItem()));
        }
        return node;
    }

    private static long latestKeys(LocalStack local, Topic<?> topic) throws IOException {
        Set<String> keys = new HashSet<>();
        TopicDump.forEachRecord(local.bootstrapServers(), topic.name(), r -> {
            String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            if (r.value() == null) {
                keys.remove(key);
            } else {
                keys.add(key);
            }
        });
        return keys.size();
    }

    /** The bytes of the latest key and value of each key of a compacted topic. */
    private static long latestBytes(LocalStack local, String topic) throws IOException {
        java.util.Map<java.nio.ByteBuffer, Integer> latest = new java.util.HashMap<>();
        TopicDump.forEachRecord(local.bootstrapServers(), topic, r -> {
            java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(r.key());
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, r.key().length + r.value().length);
            }
        });
        return latest.values().stream().mapToLong(Integer::longValue).sum();
    }

    private static long size(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /**
     * Compacts every RocksDB instance of the state directory in full, with the options the application
     * gives its stores ({@link BoundedRocksDb}), files already on the last level included: the shape
     * the stores reach once {@code rocksdb.purge.interval}'s periodic compaction has rewritten every
     * file. A plain full compaction leaves a file on the last level as it is, and a flushed file that
     * was moved there unchanged keeps the first levels' LZ4 instead of the last level's ZSTD: which
     * stores had been moved so varied from run to run (the account directory 600 or 1,000 KB, 27 B a
     * customer). Run after the application has stopped.
     */
    private static void compactAll(Path state) throws IOException {
        if (!Files.exists(state)) {
            return;
        }
        List<Path> databases;
        try (Stream<Path> files = Files.walk(state)) {
            databases = files.filter(f -> f.getFileName().toString().equals("CURRENT")).map(Path::getParent).toList();
        }
        RocksDB.loadLibrary();
        for (Path db : databases) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (Options options = new Options()) {
                options.setTableFormatConfig(new BlockBasedTableConfig()); // as Kafka Streams gives it to the config setter
                new BoundedRocksDb().setConfig(db.getFileName().toString(), options, Map.of());
                // Kafka Streams' stores have column families of their own (offsets, timestamped values)
                List<ColumnFamilyDescriptor> families = new ArrayList<>();
                try (DBOptions dbOptions = new DBOptions(options); ColumnFamilyOptions familyOptions = new ColumnFamilyOptions(options)) {
                    for (byte[] name : RocksDB.listColumnFamilies(options, db.toString())) {
                        families.add(new ColumnFamilyDescriptor(name, familyOptions));
                    }
                    try (RocksDB rocks = RocksDB.open(dbOptions, db.toString(), families, handles);
                         CompactRangeOptions everyFile = new CompactRangeOptions()
                                 .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
                        for (ColumnFamilyHandle family : handles) {
                            rocks.compactRange(family, null, null, everyFile);
                        }
                    } finally {
                        handles.forEach(ColumnFamilyHandle::close);
                    }
                }
            } catch (RocksDBException e) {
                throw new IOException("Cannot compact " + db + ": " + e.getMessage(), e);
            }
        }
    }

    /** Bytes of each store (all its tasks' files), by store name. */
    private static java.util.Map<String, Long> storeSizes(Path state) throws IOException {
        return storeSizes(state, f -> true);
    }

    /** Bytes of each store's files that {@code which} accepts, by store name. */
    private static java.util.Map<String, Long> storeSizes(Path state, java.util.function.Predicate<Path> which) throws IOException {
        java.util.Map<String, Long> sizes = new java.util.TreeMap<>();
        if (!Files.exists(state)) {
            return sizes;
        }
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).filter(which).toList()) {
                Path rel = state.relativize(f);
                // <app>/<task>/rocksdb/<store>/... or <app>/<task>/<window store>/<segment>/...
                if (rel.getNameCount() >= 4) {
                    String store = rel.getName(2).toString().equals("rocksdb") ? rel.getName(3).toString() : rel.getName(2).toString();
                    sizes.merge(store, f.toFile().length(), Long::sum);
                }
            }
        }
        return sizes;
    }

    private static void awaitHealthy(int port, ChildJvm app) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        while (System.nanoTime() < deadline) {
            if (!app.alive()) {
                throw new IllegalStateException("The application under test stopped: " + tail(app.output()));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The restored application was not RUNNING within an hour");
    }

    private static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    private void print(ObjectNode r) throws IOException {
        if (json) {
            System.out.println(PlainJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
            return;
        }
        console.printf("%nsocialcrm bench: %,d activities, %,d customers (%,d accounts, %,d opted in), %d partitions, %d cores%n",
                r.path("events").asLong(), r.path("customers").asLong(), r.path("accounts").asLong(),
                r.path("consentedAccounts").asLong(), r.path("partitions").asInt(), r.path("cores").asInt());
        console.printf("  pass-through (engine limit)  %,10d events/s   (the mean of a run before the full topology and one after: %s)%n",
                r.path("passThroughEventsPerSecond").asLong(), r.path("passThroughRunsEventsPerSecond"));
        console.printf("  pass-through, one hop        %,10d events/s   %.2fx the pass-through (across one repartition topic)%n",
                r.path("oneHopEventsPerSecond").asLong(), r.path("oneHopRatio").asDouble());
        console.printf("  full topology, exactly-once  %,10d events/s   %.2fx the pass-through, %.2fx the one-hop (%.1f s; "
                        + "the metrics path's timed flush %.1f s later)%n",
                r.path("fullEventsPerSecond").asLong(), r.path("ratio").asDouble(), r.path("ratioToOneHop").asDouble(), r.path("fullSeconds").asDouble(),
                r.path("metricsFlushedSecondsAfter").asDouble());
        console.printf("    last write of each watched topic, s from the start: %s%n", r.path("fullLastWriteSecondsByTopic"));
        for (String phase : List.of("latencyMs", "latencyBelowCapacityMs")) {
            var l = r.path(phase);
            console.printf("  event -> segment change      p50 %s ms, p99 %s ms at %,d events/s (%,d changes)%n", l.path("p50").asText("-"),
                    l.path("p99").asText("-"), l.path("rate").asLong(), l.path("changes").asLong());
        }
        console.printf("  peak RSS of the application  %,d MB (pass-through: %,d MB)%n", r.path("peakRssMB").asLong(),
                r.path("passThroughPeakRssMB").asLong());
        console.printf("  state                        %,d bytes for %,d customers: %,d bytes a customer%n", r.path("stateBytes").asLong(),
                r.path("customersWithState").asLong(), r.path("stateBytesPerCustomer").asLong());
        r.path("stateBytesByStore").fields().forEachRemaining(e -> console.printf("    %-26s %,d bytes (compacted: %,d)%n", e.getKey(),
                e.getValue().asLong(), r.path("stateBytesByStoreCompacted").path(e.getKey()).asLong()));
        console.printf("  state, compacted data files  %,d bytes: %,d bytes a customer%n", r.path("stateBytesCompacted").asLong(),
                r.path("stateBytesPerCustomerCompacted").asLong());
        console.printf("  state held in the heap       %,d bytes (%s); with the compacted files: %,d bytes a customer%n",
                r.path("inMemoryStateBytes").asLong(), r.path("inMemoryStateBytesByStore").toString(),
                r.path("stateBytesPerCustomerWithInMemory").asLong());
        console.printf("  restore from the changelogs  %.1f s to RUNNING (%,d records in %.1f s)%n", r.path("restoreSeconds").asDouble(),
                r.path("restoredRecords").asLong(), r.path("restoreStreamsSeconds").asDouble());
    }

}
