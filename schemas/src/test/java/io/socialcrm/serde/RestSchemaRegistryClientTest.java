package io.socialcrm.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.testing.SampleRecords;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST client's behaviour under failure, against a loopback HTTP endpoint scripted to fail the
 * way registries and proxies fail (5xx, refused connections, error bodies). The happy path against a
 * real registry is covered by the app module's Apicurio tests (ApicurioSerdeIT).
 */
class RestSchemaRegistryClientTest {
    private HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private volatile int failuresBeforeSuccess;
    private volatile int failureStatus = 503;
    private volatile boolean registerConflicts;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        int call = calls.incrementAndGet();
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        int status;
        String body;
        if (call <= failuresBeforeSuccess) {
            status = failureStatus;
            body = "{\"error_code\":" + (failureStatus * 100 + 3) + ",\"message\":\"backend store unavailable\"}";
        } else if (path.startsWith("/schemas/ids/")) {
            if (path.endsWith("/404")) {
                status = 404;
                body = "{\"error_code\":40403,\"message\":\"Schema not found\"}";
            } else {
                status = 200;
                body = "{\"schema\":" + quote(SocialActivity.getClassSchema().toString()) + "}";
            }
        } else if (path.endsWith("/versions") && "POST".equals(exchange.getRequestMethod())) {
            status = registerConflicts ? 409 : 200;
            body = registerConflicts ? "{\"error_code\":409,\"message\":\"An artifact with ID 's-value' already exists.\"}"
                    : "{\"id\":7}";
        } else if (path.startsWith("/subjects/") && "POST".equals(exchange.getRequestMethod())) {
            status = 200;
            body = "{\"subject\":\"s-value\",\"version\":1,\"id\":7}";
        } else {
            status = 404;
            body = "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private RestSchemaRegistryClient client(Map<String, String> extra) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(SchemaRegistryConfig.URL, url(),
                SchemaRegistryConfig.RETRIES, "2", SchemaRegistryConfig.RETRY_BACKOFF_MS, "10"));
        props.putAll(extra);
        return new RestSchemaRegistryClient(SchemaRegistryConfig.from(props));
    }

    @Test
    void registersAndReadsById() {
        RestSchemaRegistryClient client = client(Map.of());
        assertEquals(7, client.register("social-activity-value", SocialActivity.getClassSchema()));
        assertEquals(SocialActivity.getClassSchema(), client.schemaById(7));
    }

    @Test
    void aRegistrationRaceAnsweredWith409FindsTheSchemaRegisteredMeanwhile() {
        registerConflicts = true;
        assertEquals(7, client(Map.of()).register("s-value", SocialActivity.getClassSchema()));
        assertEquals(2, calls.get(), "the register, then a lookup");
    }

    @Test
    void retriesA503ThenSucceeds() {
        failuresBeforeSuccess = 2;
        assertEquals(7, client(Map.of()).register("s-value", SocialActivity.getClassSchema()));
        assertEquals(3, calls.get(), "two failures, then the answer");
    }

    @Test
    void aRegistryThatKeepsAnswering5xxGivesAnErrorNamingUrlSubjectAndStatus() {
        failuresBeforeSuccess = 100;
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client(Map.of()).register("social-activity-value", SocialActivity.getClassSchema()));
        assertEquals(503, e.httpStatus());
        assertEquals(50303, e.errorCode());
        assertTrue(e.getMessage().contains(url()) && e.getMessage().contains("'social-activity-value'")
                && e.getMessage().contains("backend store unavailable"), e.getMessage());
        assertEquals(3, calls.get(), "first attempt and two retries");
    }

    @Test
    void clientErrorsAreNotRetried() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client(Map.of()).latest("missing-value"));
        assertEquals(404, e.httpStatus());
        assertEquals(40401, e.errorCode());
        assertFalse(e.isRetriable());
        assertEquals(1, calls.get());
    }

    @Test
    void anUnknownIdIsUnknownSchemaIdException() {
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class, () -> client(Map.of()).schemaById(404));
        assertEquals(404, e.schemaId());
    }

    @Test
    void anUnreachableRegistryIsUnavailableAfterRetries() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + closedPort;
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(SchemaRegistryConfig.from(Map.of(
                SchemaRegistryConfig.URL, dead, SchemaRegistryConfig.RETRIES, "1", SchemaRegistryConfig.RETRY_BACKOFF_MS, "10")));
        SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class,
                () -> client.schemaById(1));
        assertTrue(e.getMessage().contains(dead) && e.getMessage().contains("schema id 1")
                && e.getMessage().contains("2 attempt"), e.getMessage());
    }

    @Test
    void failsOverToTheNextUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RestSchemaRegistryClient client = client(Map.of(SchemaRegistryConfig.URL,
                "http://127.0.0.1:" + closedPort + "," + url()));
        assertEquals(SocialActivity.getClassSchema(), client.schemaById(1));
    }

    @Test
    void sendsBasicAuthAndBearerTokens() {
        client(Map.of(SchemaRegistryConfig.BASIC_AUTH_USER_INFO, "alice:s3cret")).schemaById(1);
        client(Map.of(SchemaRegistryConfig.BEARER_AUTH_TOKEN, "tok")).schemaById(1);
        assertEquals("Basic YWxpY2U6czNjcmV0", authorizations.get(0));
        assertEquals("Bearer tok", authorizations.get(1));
    }

    @Test
    void theDeserializerReportsAnUnreachableRegistryAsSuch() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SchemaRegistryConfig mock = SchemaRegistryConfig.of("mock://rest-test");
        byte[] bytes = AvroSerde.specific(SocialActivity.class, mock, false).serializer().serialize("t", SampleRecords.activity());
        SchemaRegistryConfig dead = SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL, "http://127.0.0.1:" + closedPort,
                SchemaRegistryConfig.RETRIES, "0"));
        assertThrows(SchemaRegistryUnavailableException.class,
                () -> AvroSerde.specific(SocialActivity.class, dead, false).deserializer().deserialize("t", bytes));
        MockSchemaRegistry.drop("rest-test");
    }

    @Test
    void badSettingsFailFastNamingTheSetting() {
        var e = assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> SchemaRegistryConfig.from(Map.of(SchemaRegistryConfig.URL, "localhost:8081")));
        assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
        var missing = assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> SchemaRegistryConfig.from(Map.of()));
        assertTrue(missing.getMessage().contains("schema.registry.url is required"), missing.getMessage());
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
