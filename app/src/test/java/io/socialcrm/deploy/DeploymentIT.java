package io.socialcrm.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.stack.FreePorts;
import io.socialcrm.stack.LocalStack;
import io.socialcrm.testing.TestStacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's image, run as Docker would run it, minus Docker: the image's entry point
 * ({@code docker/entrypoint.sh}) with the environment the compose file gives the {@code socialcrm}
 * service (only the addresses pointed at the embedded stack), the packaged jar, the image's
 * HEALTHCHECK command, and SIGTERM as {@code docker stop} sends it.
 */
class DeploymentIT {
    private static final Path JAR = Path.of(System.getProperty("socialcrm.jar", "target/socialcrm.jar"));
    private static final Pattern HEALTHCHECK = Pattern.compile("HEALTHCHECK[^\\n]*\\\\\\n\\s*CMD (\\[.*])");

    private static Map<String, String> composeEnvironment(LocalStack stack, int port, Path dir) throws Exception {
        Map<String, String> env = new java.util.LinkedHashMap<>(Compose.environment(
                Compose.load(Map.of("SOCIALCRM_ENGAGERS_SALT", "deployment-it-salt-0123456789", "POSTGRES_PASSWORD", "unused-here"),
                        "docker-compose.yml"), "socialcrm"));
        env.put("SOCIALCRM_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("SOCIALCRM_SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());
        env.put("SOCIALCRM_STATE_DIR", dir.resolve("state").toString());
        env.put("SOCIALCRM_HTTP_PORT", Integer.toString(port));
        env.put("SOCIALCRM_TOPICS_PREFIX", "deploy.");
        env.put("SOCIALCRM_JAR", JAR.toAbsolutePath().toString());
        env.put("SOCIALCRM_JAVA_OPTS", "-Xmx512m");
        return env;
    }

    /** The image's HEALTHCHECK command, with the jar where the build left it. */
    private static List<String> healthCheck() throws Exception {
        Matcher m = HEALTHCHECK.matcher(Files.readString(Compose.DOCKER.resolve("Dockerfile")));
        assertTrue(m.find(), "the Dockerfile has a HEALTHCHECK ... CMD [...]");
        List<String> command = new ArrayList<>();
        for (String part : m.group(1).replaceAll("^\\[|]$", "").split(",")) {
            String arg = part.trim().replaceAll("^\"|\"$", "");
            command.add(arg.equals("/opt/socialcrm/socialcrm.jar") ? JAR.toAbsolutePath().toString() : arg);
        }
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return command;
    }

    private static int run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        Process p = builder.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    @Test
    void theEntryPointRunsTheAppWithTheComposeEnvironmentAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        LocalStack stack = TestStacks.shared();
        int port = FreePorts.next();
        Map<String, String> env = composeEnvironment(stack, port, dir);
        Path log = dir.resolve("app.log");
        ProcessBuilder builder = new ProcessBuilder("sh", Compose.DOCKER.resolve("entrypoint.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process app = builder.start();
        List<String> health = healthCheck();
        try {
            assertEquals(1, run(health, env), "unhealthy before it runs");
            await("the image's health check passing once it runs").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> {
                        assertTrue(app.isAlive(), "the application runs: " + Files.readString(log));
                        return run(health, env) == 0;
                    });
            HttpResponse<String> segments = await("the default segments seeded").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/segments")).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString()), r -> r.body().contains("top-influencers"));
            assertEquals(200, segments.statusCode());
            assertTrue(segments.body().contains("top-influencers"), "seeded the default segments: " + segments.body());
            try (var hosts = Files.list(dir.resolve("state"))) {
                List<Path> folders = hosts.toList();
                assertEquals(1, folders.size(), "one folder per host under SOCIALCRM_STATE_DIR (the volume): " + folders);
                assertTrue(Files.isDirectory(folders.get(0).resolve("socialcrm")), "the application's state in it");
            }
        } finally {
            app.destroy();
        }
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM (docker stop waits 10 s by default)");
        String output = Files.readString(log);
        assertEquals(143, app.exitValue(), output);
        assertTrue(output.contains("Kafka Streams closed: left the consumer group, state NOT_RUNNING"), "left the group cleanly: " + output);
        assertTrue(output.contains("Created topics"), "created the contract's topics (SOCIALCRM_TOPICS_CREATE)");
    }

    @Test
    void theEntryPointTakesOtherCommandsAndAConfigFile(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("SOCIALCRM_JAR", JAR.toAbsolutePath().toString(),
                "SOCIALCRM_STATE_DIR", dir.resolve("state").toString());
        Path out = dir.resolve("out.txt");
        ProcessBuilder version = new ProcessBuilder("sh", Compose.DOCKER.resolve("entrypoint.sh").toString(), "--version")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        version.environment().putAll(env);
        assertTrue(version.start().waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.readString(out).startsWith("socialcrm "), Files.readString(out));

        Path config = dir.resolve("app.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:1\nschema.registry.url=http://127.0.0.1:1\n"
                + "engagers.salt=deployment-it-salt-0123456789\ninfluence.halflife=forever\n");
        ProcessBuilder run = new ProcessBuilder("sh", Compose.DOCKER.resolve("entrypoint.sh").toString())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        run.environment().putAll(env);
        run.environment().put("SOCIALCRM_CONFIG_FILE", config.toString());
        Process p = run.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String message = Files.readString(out);
        assertEquals(2, p.exitValue(), message);
        assertTrue(Arrays.stream(message.split("\n")).anyMatch(l -> l.contains("influence.halflife") && l.contains(config.toString())),
                "a bad setting in SOCIALCRM_CONFIG_FILE is named with its file: " + message);
    }
}
