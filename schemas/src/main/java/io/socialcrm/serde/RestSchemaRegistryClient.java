package io.socialcrm.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema-registry client over the Confluent REST API, on the JDK's HTTP client. Confluent's own
 * client is not published on Maven Central, so this project keeps a small one of its own: the five
 * calls an Avro serde needs, retries with exponential backoff for errors that may pass, failover
 * between several URLs, basic or bearer auth, and TLS. It has no cache: {@link SchemaRegistryClients}
 * wraps it in {@link CachingSchemaRegistryClient} so the hot path never calls the network.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryConfig config;
    private final List<String> urls;
    private final HttpClient http;
    private final String authorization;
    private final AtomicInteger preferredUrl = new AtomicInteger();

    public RestSchemaRegistryClient(SchemaRegistryConfig config) {
        if (config.isMock()) {
            throw new ConfigException(SchemaRegistryConfig.URL, config.urls().get(0),
                    "a mock:// URL has no REST endpoint; use SchemaRegistryClients.create");
        }
        this.config = config;
        this.urls = config.urls();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (config.tls() != null) {
            builder.sslContext(sslContext(config.tls()));
        }
        this.http = builder.build();
        if (config.bearerToken() != null) {
            authorization = "Bearer " + config.bearerToken();
        } else if (config.basicAuthUserInfo() != null) {
            authorization = "Basic " + Base64.getEncoder()
                    .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        } else {
            authorization = null;
        }
    }

    @Override
    public String url() {
        return String.join(",", urls);
    }

    @Override
    public int register(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                    "registering a schema under subject '" + subject + "'");
            return requiredInt(answer, "id", "subject '" + subject + "'");
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() != 409) {
                throw e;
            }
            // Two clients registering the same new subject at once: some registries (Apicurio) answer
            // 409 to the second. If the schema is there now, that is its id; if not, it was incompatible.
            try {
                return lookup(subject, schema);
            } catch (SchemaRegistryException notThere) {
                throw e;
            }
        }
    }

    @Override
    public int lookup(String subject, Schema schema) {
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "looking up a schema under subject '" + subject + "'");
        return requiredInt(answer, "id", "subject '" + subject + "'");
    }

    @Override
    public Schema schemaById(int id) {
        try {
            JsonNode answer = send("GET", "/schemas/ids/" + id, null, "schema id " + id);
            return parse(answer.path("schema").asText(), "schema id " + id);
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                throw new UnknownSchemaIdException(url(), id, "?");
            }
            throw e;
        }
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "the latest version of subject '" + subject + "'");
        String what = "subject '" + subject + "'";
        return new RegisteredSchema(subject, requiredInt(answer, "id", what), requiredInt(answer, "version", what),
                parse(answer.path("schema").asText(), what));
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema), "a compatibility check against subject '" + subject + "'");
            return answer.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                return true; // no version yet: anything may be the first
            }
            throw e;
        }
    }

    private JsonNode send(String method, String path, String body, String what) {
        long backoff = config.retryBackoff().toMillis();
        Exception last = null;
        int attempts = config.retries() + 1;
        int start = preferredUrl.get();
        for (int attempt = 0; attempt < attempts; attempt++) {
            int index = Math.floorMod(start + attempt, urls.size());
            String base = urls.get(index);
            try {
                HttpResponse<String> response = http.send(request(method, base + path, body),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status / 100 == 2) {
                    preferredUrl.set(index);
                    return JSON.readTree(response.body());
                }
                SchemaRegistryException error = error(base, what, status, response.body());
                if (!error.isRetriable()) {
                    throw error;
                }
                last = error;
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException(base, what, attempt + 1, e);
            }
            if (attempt + 1 < attempts) {
                LOG.warn("Schema registry {} failed for {} (attempt {}/{}), retrying in {} ms: {}",
                        base, what, attempt + 1, attempts, backoff, last.toString());
                sleep(backoff);
                backoff = Math.min(backoff * 2, config.retryBackoffMax().toMillis());
            }
        }
        if (last instanceof SchemaRegistryException registryError) {
            throw registryError;
        }
        throw new SchemaRegistryUnavailableException(url(), what, attempts, last);
    }

    private HttpRequest request(String method, String url, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static SchemaRegistryException error(String base, String what, int status, String body) {
        int code = -1;
        String message = body == null ? "" : body;
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                code = node.path("error_code").asInt(-1);
                message = node.path("message").asText(message);
            }
        } catch (IOException notJson) {
            // keep the raw body (a proxy's HTML page, say) as the message
        }
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        return new SchemaRegistryException(base, what, status, code, message);
    }

    private static String schemaBody(Schema schema) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", schema.toString());
        return node.toString();
    }

    private int requiredInt(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException(url(), what, 200, -1, "answer has no '" + field + "': " + answer);
        }
        return value.asInt();
    }

    private Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(url(), what, 200, -1, "answered a schema that is not valid Avro: " + e.getMessage());
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SSLContext sslContext(SchemaRegistryConfig.Tls tls) {
        try {
            TrustManagerFactory tmf = null;
            if (tls.truststoreLocation() != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(tls.truststoreLocation(), tls.truststoreType(), tls.truststorePassword(),
                        SchemaRegistryConfig.SSL_TRUSTSTORE_LOCATION));
            }
            KeyManagerFactory kmf = null;
            if (tls.keystoreLocation() != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPassword = tls.keyPassword() != null ? tls.keyPassword() : tls.keystorePassword();
                kmf.init(load(tls.keystoreLocation(), tls.keystoreType(), tls.keystorePassword(),
                        SchemaRegistryConfig.SSL_KEYSTORE_LOCATION), keyPassword == null ? null : keyPassword.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String location, String type, String password, String setting) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(setting, location, "cannot be read as a " + type + " store: " + e.getMessage());
        }
    }
}
