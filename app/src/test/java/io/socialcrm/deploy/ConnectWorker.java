package io.socialcrm.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.bench.ChildJvm;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.stack.FreePorts;
import io.socialcrm.stack.LocalStack;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Kafka Connect worker, distributed mode, in a JVM of its own, configured as the deployment
 * configures it: {@code docker/connect/connect-distributed.properties} with the environment the
 * compose file gives the {@code connect} service, only the addresses pointed at the embedded stack.
 * Its classpath is Kafka Connect's alone: the socialcrm connectors are found under
 * {@code plugin.path}, in the plugin folder the build packages, loaded in isolation as on any worker.
 */
final class ConnectWorker implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final ChildJvm process;
    private final String url;

    private ConnectWorker(ChildJvm process, String url) {
        this.process = process;
        this.url = url;
    }

    /** Starts a worker of group {@code groupId} and waits until its REST API answers. */
    static ConnectWorker start(LocalStack stack, String groupId, Path dir, Map<String, String> extraEnv) throws Exception {
        int port = FreePorts.next();
        Map<String, String> env = new LinkedHashMap<>(Compose.environment(
                Compose.load(Map.of("SOCIALCRM_ENGAGERS_SALT", "unused-by-connect-0123456789", "POSTGRES_PASSWORD", "unused-here"),
                        "docker-compose.yml"), "connect"));
        env.put("CONNECT_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("CONNECT_SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());
        env.put("CONNECT_LISTENERS", "http://127.0.0.1:" + port);
        env.put("CONNECT_ADVERTISED_HOST", "127.0.0.1");
        env.put("CONNECT_GROUP_ID", groupId);
        env.put("CONNECT_OFFSET_FLUSH_INTERVAL_MS", "500");
        env.putAll(extraEnv);
        Path log = dir.resolve("connect-worker-" + System.nanoTime() + ".log");
        // the deployment's file as it is, but for plugin.path (which Connect reads before config providers):
        // the plugin folder the build packaged instead of the image's /opt/socialcrm/plugins
        String plugins = Path.of(System.getProperty("socialcrm.connect.plugins", "../connectors/target/plugin"))
                .toAbsolutePath().normalize().toString();
        Path properties = dir.resolve("connect-distributed-" + System.nanoTime() + ".properties");
        Files.writeString(properties, Files.readString(Compose.DOCKER.resolve("connect/connect-distributed.properties"))
                .replace("plugin.path=/opt/socialcrm/plugins", "plugin.path=" + plugins));
        ChildJvm jvm = ChildJvm.of("org.apache.kafka.connect.cli.ConnectDistributed", properties.toString())
                .heap("512m").jvmOptions("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-Dlogback.configurationFile=" + Path.of("src/test/resources/connect-worker-logback.xml").toAbsolutePath())
                .classpath(connectClasspath()).env(env).logTo(log).start();
        ConnectWorker worker = new ConnectWorker(jvm, "http://127.0.0.1:" + port);
        try {
            await("the Connect worker's REST API").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                    .ignoreExceptionsInstanceOf(IOException.class) // starting
                    .until(() -> {
                        if (!jvm.alive()) {
                            throw new AssertionError("the Connect worker exited: " + jvm.output());
                        }
                        return worker.get("/connectors").statusCode() == 200;
                    });
        } catch (RuntimeException | AssertionError e) {
            worker.close();
            throw new AssertionError("the Connect worker did not start: " + jvm.output(), e);
        }
        return worker;
    }

    /** The test classpath without this project's classes and the libraries only the plugin brings. */
    private static String connectClasspath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.contains("socialcrm") && !e.contains(File.separator + "target" + File.separator)
                        && !e.contains("twitter4j") && !e.contains("twitter-text") && !e.contains("apicurio"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** A line of a worker log in {@code dir}. */
    record LogLine(Path file, String text) {
    }

    /** Every line of every worker log written in {@code dir}. */
    static java.util.List<LogLine> lines(Path dir) throws IOException {
        java.util.List<LogLine> out = new java.util.ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("connect-worker-")).toList()) {
                Files.readAllLines(file).forEach(l -> out.add(new LogLine(file, l)));
            }
        }
        return out;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Creates or updates a connector from one of the deployment's JSON files, with some settings changed. */
    void putConnector(String file, Map<String, String> overrides) throws IOException, InterruptedException {
        JsonNode definition = PlainJson.MAPPER.readTree(Files.readString(Compose.DOCKER.resolve(file)));
        ObjectNode config = (ObjectNode) definition.path("config").deepCopy();
        overrides.forEach(config::put);
        String name = definition.path("name").asText();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/connectors/" + name + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(config.toString())).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new AssertionError("PUT connector " + name + ": " + response.statusCode() + " " + response.body());
        }
    }

    /** The connector's status document ({@code GET /connectors/{name}/status}). */
    JsonNode status(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/connectors/" + name + "/status");
        return response.statusCode() == 200 ? PlainJson.MAPPER.readTree(response.body()) : PlainJson.MAPPER.createObjectNode();
    }

    /**
     * The source position the connector has committed for {@code file} ({@code GET /connectors/{name}/offsets}),
     * or -1 before any. Connect commits a position only once the records before it were acknowledged.
     */
    long committedPosition(String name, Path file) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/connectors/" + name + "/offsets");
        if (response.statusCode() != 200) {
            return -1;
        }
        for (JsonNode entry : PlainJson.MAPPER.readTree(response.body()).path("offsets")) {
            if (entry.path("partition").path("file").asText().endsWith(file.getFileName().toString())) {
                return entry.path("offset").path("position").asLong(-1);
            }
        }
        return -1;
    }

    /** Stops the worker as an orchestrator does (SIGTERM): it commits offsets and leaves the group. */
    @Override
    public void close() {
        process.close();
    }
}
