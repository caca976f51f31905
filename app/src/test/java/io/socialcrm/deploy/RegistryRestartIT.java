package io.socialcrm.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.serde.AvroSerde;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.stack.FreePorts;
import io.socialcrm.testing.SampleRecords;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment's schema registry keeps its schemas, and so their ids, across a restart: the same
 * Apicurio version as {@code docker-compose.yml}, with the same SQL storage in a real PostgreSQL.
 * Records written before the restart are read after it, and ids are not handed out again.
 */
class RegistryRestartIT {
    private static final Path RUNNER = Path.of(System.getProperty("socialcrm.apicurio.sql.runner", "target/apicurio-sql/missing.jar"));
    private static final String VERSION = System.getProperty("socialcrm.apicurio.sql.version", "unknown");

    @Test
    void theComposeFileRunsTheVersionTestedHere() throws Exception {
        assertEquals(VERSION, Compose.variables("docker-compose.yml").get("APICURIO_VERSION"),
                "docker-compose.yml's registry image is the Apicurio version this test runs");
        assertEquals("sql", Compose.environment(Compose.load(Map.of("SOCIALCRM_ENGAGERS_SALT", "0123456789abcdef",
                "POSTGRES_PASSWORD", "p"), "docker-compose.yml"), "schema-registry").get("APICURIO_STORAGE_KIND"));
    }

    @Test
    void schemaIdsSurviveARegistryRestart(@TempDir Path dir) throws Exception {
        assertTrue(Files.isRegularFile(RUNNER), "the build unpacks Apicurio " + VERSION + ": " + RUNNER);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            String jdbc = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            byte[] profile;
            int profileId;
            int port = FreePorts.next();
            String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
            Process first = start(jdbc, port, dir.resolve("registry-1.log"));
            try {
                profile = AvroSerde.specific(CustomerProfile.class, SchemaRegistryConfig.of(url), false).serializer()
                        .serialize("customer-profiles", SampleRecords.customerProfile());
                profileId = ByteBuffer.wrap(profile, 1, 4).getInt();
            } finally {
                stop(first);
            }

            Process second = start(jdbc, port, dir.resolve("registry-2.log"));
            try {
                // a fresh serde: nothing cached, the ids come from the restarted registry
                assertEquals(SampleRecords.customerProfile(), AvroSerde.specific(CustomerProfile.class, SchemaRegistryConfig.of(url), false)
                        .deserializer().deserialize("customer-profiles", profile), "a record written before the restart reads after it");
                byte[] again = AvroSerde.specific(CustomerProfile.class, SchemaRegistryConfig.of(url), false).serializer()
                        .serialize("customer-profiles", SampleRecords.customerProfile());
                assertEquals(profileId, ByteBuffer.wrap(again, 1, 4).getInt(), "the same schema keeps its id");
                byte[] change = AvroSerde.specific(SegmentChange.class, SchemaRegistryConfig.of(url), false).serializer()
                        .serialize("segment-changes", SampleRecords.segmentChange());
                assertNotEquals(profileId, ByteBuffer.wrap(change, 1, 4).getInt(), "a new schema gets a new id, not a used one");
            } finally {
                stop(second);
            }
        }
    }

    private static Process start(String jdbc, int port, Path log) throws Exception {
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.level=WARN", "-Dapicurio.ccompat.use-canonical-hash=true",
                "-Dapicurio.storage.kind=sql", "-Dapicurio.storage.sql.kind=postgresql", "-Dapicurio.datasource.url=" + jdbc,
                "-Dapicurio.datasource.username=postgres", "-Dapicurio.datasource.password=postgres", "-jar", RUNNER.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        await("Apicurio " + VERSION + " on PostgreSQL").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the registry exited: " + Files.readString(log));
                    }
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/apis/ccompat/v7/subjects"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                });
        return process;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
