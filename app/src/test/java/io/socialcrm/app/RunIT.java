package io.socialcrm.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.bench.ChildJvm;
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
import java.util.Map;
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
        Path logFile = dir.resolve("run.log");
        ChildJvm app = ChildJvm.of(Main.class.getName(), "run", "--config", config.toString())
                .env(Map.of("SOCIALCRM_HTTP_PORT", Integer.toString(envPort))).logTo(logFile).start();
        int exit;
        try {
            HttpClient http = HttpClient.newHttpClient();
            await("/health on the environment's port (it won over the file's)").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(300)).ignoreExceptionsInstanceOf(java.io.IOException.class)
                    .until(() -> {
                        assertTrue(app.alive(), app.output());
                        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + envPort + "/health"))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
            // the seeded definitions reach every partition's store shortly after start
            await("the default segments seeded").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + envPort + "/segments")).build(),
                            HttpResponse.BodyHandlers.ofString()).body().contains("top-influencers"));
        } finally {
            exit = app.stop(Duration.ofSeconds(60));
        }
        // 143 = 128 + SIGTERM: the JVM reports the signal, after the shutdown hook closed Kafka Streams
        String log = Files.readString(logFile);
        assertEquals(143, exit, "stopped within a minute of SIGTERM: " + log);
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
