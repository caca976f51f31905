package io.socialcrm.serde;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the schema-registry client and the Avro serde. Property names follow Confluent's
 * serde where one exists, so a Confluent client configuration works unchanged.
 *
 * @param urls            one or more registry URLs, tried in turn; {@code mock://scope} for the in-process registry
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null
 * @param bearerToken     a static bearer token, or null
 * @param tls             trust and key stores for HTTPS, or null for the JDK defaults
 * @param requestTimeout  timeout of one HTTP request
 * @param retries         retries after the first attempt, for errors that may pass (no answer, 5xx, 429)
 * @param retryBackoff    first backoff between attempts; doubles each time
 * @param retryBackoffMax largest backoff between attempts
 * @param autoRegister    register a writer schema on first use (else it must already be registered)
 * @param useLatestVersion write with the latest registered schema of the subject instead of the record's own
 */
public record SchemaRegistryConfig(
        List<String> urls,
        String basicAuthUserInfo,
        String bearerToken,
        Tls tls,
        Duration requestTimeout,
        int retries,
        Duration retryBackoff,
        Duration retryBackoffMax,
        boolean autoRegister,
        boolean useLatestVersion) {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRIES = "schema.registry.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";

    /** Key and trust stores for HTTPS to the registry. */
    public record Tls(String truststoreLocation, String truststorePassword, String truststoreType,
                      String keystoreLocation, String keystorePassword, String keystoreType, String keyPassword) {
    }

    public SchemaRegistryConfig {
        if (urls == null || urls.isEmpty()) {
            throw new ConfigException(URL + " is required: the schema registry's URL, e.g. http://localhost:8081 "
                    + "or mock://scope for the in-process registry");
        }
        urls = List.copyOf(urls);
        if (retries < 0) {
            throw new ConfigException(RETRIES, retries, "must be 0 or more");
        }
    }

    public boolean isMock() {
        return urls.get(0).startsWith("mock://");
    }

    /** The scope of a {@code mock://scope} URL. */
    public String mockScope() {
        return urls.get(0).substring("mock://".length());
    }

    /** A config for the given URL with every other setting at its default. */
    public static SchemaRegistryConfig of(String url) {
        return from(Map.of(URL, url));
    }

    /** Reads the settings from a Kafka-style config map (values may be strings or typed). */
    public static SchemaRegistryConfig from(Map<String, ?> props) {
        Object rawUrl = props.get(URL);
        if (rawUrl == null || rawUrl.toString().isBlank()) {
            throw new ConfigException(URL + " is required: the schema registry's URL, e.g. http://localhost:8081 "
                    + "or mock://scope for the in-process registry");
        }
        List<String> urls = Arrays.stream(rawUrl.toString().split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .toList();
        for (String u : urls) {
            String lower = u.toLowerCase(Locale.ROOT);
            if (!(lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("mock://"))) {
                throw new ConfigException(URL, u, "must start with http://, https:// or mock://");
            }
        }
        String source = string(props, BASIC_AUTH_SOURCE, "USER_INFO").toUpperCase(Locale.ROOT);
        String userInfo = string(props, BASIC_AUTH_USER_INFO, null);
        if ("URL".equals(source)) {
            userInfo = userInfoFromUrl(urls.get(0));
            urls = urls.stream().map(SchemaRegistryConfig::withoutUserInfo).toList();
        } else if (!"USER_INFO".equals(source)) {
            throw new ConfigException(BASIC_AUTH_SOURCE, source, "must be USER_INFO or URL");
        }
        if (userInfo != null && !userInfo.isEmpty() && !userInfo.contains(":")) {
            throw new ConfigException(BASIC_AUTH_USER_INFO, "(hidden)", "must be 'user:password'");
        }
        Tls tls = null;
        String truststore = string(props, SSL_TRUSTSTORE_LOCATION, null);
        String keystore = string(props, SSL_KEYSTORE_LOCATION, null);
        if (truststore != null || keystore != null) {
            tls = new Tls(truststore, string(props, SSL_TRUSTSTORE_PASSWORD, null),
                    string(props, SSL_TRUSTSTORE_TYPE, "PKCS12"), keystore,
                    string(props, SSL_KEYSTORE_PASSWORD, null), string(props, SSL_KEYSTORE_TYPE, "PKCS12"),
                    string(props, SSL_KEY_PASSWORD, null));
        }
        return new SchemaRegistryConfig(urls, emptyToNull(userInfo), emptyToNull(string(props, BEARER_AUTH_TOKEN, null)), tls,
                Duration.ofMillis(longValue(props, REQUEST_TIMEOUT_MS, 10_000)),
                (int) longValue(props, RETRIES, 4),
                Duration.ofMillis(longValue(props, RETRY_BACKOFF_MS, 100)),
                Duration.ofMillis(longValue(props, RETRY_BACKOFF_MAX_MS, 5_000)),
                bool(props, AUTO_REGISTER, true),
                bool(props, USE_LATEST_VERSION, false));
    }

    private static String userInfoFromUrl(String url) {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getRawUserInfo() == null ? null
                : java.net.URLDecoder.decode(uri.getRawUserInfo(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String withoutUserInfo(String url) {
        java.net.URI uri = java.net.URI.create(url);
        if (uri.getRawUserInfo() == null) {
            return url;
        }
        return url.replace(uri.getRawUserInfo() + "@", "");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String string(Map<String, ?> props, String key, String dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof org.apache.kafka.common.config.types.Password p) {
            return p.value();
        }
        return v.toString();
    }

    private static long longValue(Map<String, ?> props, String key, long dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }

    private static boolean bool(Map<String, ?> props, String key, boolean dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(key, v, "must be true or false");
    }
}
