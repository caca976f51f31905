package io.socialcrm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code socialcrm run} as a separate process against a real broker and registry, stopped with SIGTERM. */
class RunIT {
    @Test
    void runsAgainstAClusterAnswersItsApiAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        int filePort;
        int envPort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            filePort = a.getLocalPort();
            envPort = b.getLocalPort();
        }
        Path config = dir.resolve("app.properties");
        Files.writeString(config, String.join("\n",
                "bootstrap.servers=" + stack.bootstrapServers(),
                "schema.registry.url=" + stack.schemaRegistryUrl(),
                "application.id=run-it",
                "topics.prefix=run.",
                "topics.create=true",
                "topics.partitions=2",
                "topics.replication.factor=1",
                "replication.factor=1",
                "engagers.salt=run-it-salt-0123456789",
                "state.dir=" + dir.resolve("state"),
                "http.host=127.0.0.1",
                "http.port=" + filePort) + "\n");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile());
        builder.environment().put("SOCIALCRM_HTTP_PORT", Integer.toString(envPort));
        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            int status = -1;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (status != 200 && System.nanoTime() < deadline && process.isAlive()) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + envPort + "/health"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(300);
                }
            }
            assertEquals(200, status, "the environment's port won over the file's: " + Files.readString(dir.resolve("run.log")));
            // the seeded definitions reach every partition's store shortly after start
            String segments = "";
            deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!segments.contains("top-influencers") && System.nanoTime() < deadline) {
                segments = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + envPort + "/segments")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(200);
            }
            assertTrue(segments.contains("top-influencers"), "the default segments were seeded: " + segments);
        } finally {
            process.destroy();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM");
        // 143 = 128 + SIGTERM: the JVM reports the signal, after the shutdown hook closed Kafka Streams
        String log = Files.readString(dir.resolve("run.log"));
        assertEquals(143, process.exitValue(), log);
        assertTrue(log.contains("Stopping (signal)"), log);
        assertTrue(log.contains("Kafka Streams closed: left the consumer group, state NOT_RUNNING"), "left the group cleanly: " + log);
    }

    @Test
    void aBadSettingFailsFastWithExitCode2(@TempDir Path dir) throws Exception {
        MainTest.Outcome outcome = MainTest.run("run", "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url",
                "mock://x", "-D", "engagers.salt=run-it-salt-0123456789", "-D", "context.max.per.account=0");
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("Invalid setting 'context.max.per.account' = '0' (from option for "
                + "context.max.per.account): must be from 1 to 1000"), outcome.err());
    }
}
