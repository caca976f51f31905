package io.socialcrm.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployment's compose files as compose reads them, for tests: anchors and merge keys
 * ({@code <<}) resolved, {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:?message}} interpolated from a
 * given environment, override files merged over the base (maps merged, other values replaced).
 * There is no Docker engine here, so the tests check what the files say and run the same commands.
 */
final class Compose {
    static final Path DOCKER = Path.of("..", "docker");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private Compose() {
    }

    /** The files merged in order, interpolated with {@code env}. */
    static JsonNode load(Map<String, String> env, String... files) throws IOException {
        JsonNode merged = null;
        for (String file : files) {
            // SnakeYAML resolves anchors, aliases and merge keys as compose does; Jackson's YAML reader does not
            Object yaml = new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve(file)));
            JsonNode doc = interpolate(JSON.valueToTree(yaml), env);
            merged = merged == null ? doc : merge(merged, doc);
        }
        return merged;
    }

    /** A service's environment as a map of strings. */
    static Map<String, String> environment(JsonNode compose, String service) {
        Map<String, String> out = new LinkedHashMap<>();
        compose.path("services").path(service).path("environment").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return out;
    }

    /** Every variable the files interpolate, with its default ("" for none) or "?" when compose must be given it. */
    static Map<String, String> variables(String... files) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String file : files) {
            Matcher m = VARIABLE.matcher(Files.readString(DOCKER.resolve(file)));
            while (m.find()) {
                String op = m.group(2);
                out.putIfAbsent(m.group(1), op == null ? "" : op.endsWith("?") ? "?" : m.group(3));
            }
        }
        return out;
    }

    private static JsonNode interpolate(JsonNode node, Map<String, String> env) {
        if (node.isTextual()) {
            Matcher m = VARIABLE.matcher(node.asText());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = env.get(m.group(1));
                String op = m.group(2);
                boolean unset = value == null || (op != null && op.startsWith(":") && value.isEmpty());
                if (unset && op != null && op.endsWith("?")) {
                    throw new IllegalStateException(m.group(1) + ": " + m.group(3));
                }
                m.appendReplacement(out, Matcher.quoteReplacement(unset ? (op != null && op.endsWith("-") ? m.group(3) : "") : value));
            }
            m.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
        if (node instanceof ObjectNode object) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            object.fields().forEachRemaining(e -> out.set(e.getKey(), interpolate(e.getValue(), env)));
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            array.forEach(item -> out.add(interpolate(item, env)));
            return out;
        }
        return node;
    }

    private static JsonNode merge(JsonNode base, JsonNode override) {
        if (base instanceof ObjectNode b && override instanceof ObjectNode o) {
            ObjectNode out = b.deepCopy();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), out.has(e.getKey()) ? merge(out.get(e.getKey()), e.getValue()) : e.getValue());
            }
            return out;
        }
        return override;
    }
}
