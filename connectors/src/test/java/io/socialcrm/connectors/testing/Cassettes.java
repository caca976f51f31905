package io.socialcrm.connectors.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.socialcrm.serde.PlainJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorded Mastodon API calls (VCR.py cassettes, YAML): each interaction's method, URI and the
 * exact response body ({@code response.body.string}).
 */
public final class Cassettes {
    public static final Path MASTODON = Path.of("src/test/resources/fixtures/mastodon");

    /** One recorded call. */
    public record Call(String method, String uri, String body) {
        public JsonNode json() {
            try {
                return PlainJson.MAPPER.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + uri, e);
            }
        }
    }

    private Cassettes() {
    }

    public static List<Call> read(String file) {
        try {
            JsonNode cassette = new ObjectMapper(new YAMLFactory()).readTree(MASTODON.resolve(file).toFile());
            List<Call> calls = new ArrayList<>();
            for (JsonNode i : cassette.path("interactions")) {
                calls.add(new Call(i.path("request").path("method").asText(), i.path("request").path("uri").asText(),
                        i.path("response").path("body").path("string").asText()));
            }
            return calls;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The body of the first call whose method and URI match. */
    public static Call first(String file, String method, String uriPart) {
        return read(file).stream().filter(c -> c.method().equals(method) && c.uri().contains(uriPart)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + method + " " + uriPart + " in " + file));
    }
}
