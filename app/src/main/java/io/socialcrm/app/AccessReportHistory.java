package io.socialcrm.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.serde.PlainJson;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds to each access report of a replay the customer's segment history: every entry and exit on
 * {@code segment-changes} and {@code segment-shadow-changes}, as {@code GET /customers/{id}/export}
 * adds them from the topics (the customer stage keeps only the memberships in force, not the history).
 */
final class AccessReportHistory {
    private static final List<String> FIELDS = List.of("segmentId", "change", "reason", "definitionVersion", "at");

    private AccessReportHistory() {
    }

    /** Rewrites {@code dir/access-reports.jsonl} with the history from the dumped change topics beside it. */
    static void addTo(Path dir) throws IOException {
        Path reports = dir.resolve("access-reports.jsonl");
        if (!Files.exists(reports)) {
            return;
        }
        Map<String, ArrayNode> live = changes(dir.resolve("segment-changes.jsonl"));
        Map<String, ArrayNode> shadow = changes(dir.resolve("segment-shadow-changes.jsonl"));
        Path rewritten = dir.resolve("access-reports.jsonl.tmp");
        try (BufferedReader in = Files.newBufferedReader(reports, StandardCharsets.UTF_8);
             BufferedWriter out = Files.newBufferedWriter(rewritten, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                ObjectNode record = (ObjectNode) PlainJson.MAPPER.readTree(line);
                JsonNode value = record.path("value");
                if (value.isObject() && value.path("held").asBoolean()) {
                    String id = value.path("customerId").asText();
                    ObjectNode report = (ObjectNode) PlainJson.MAPPER.readTree(value.path("report").asText());
                    ObjectNode history = report.with("segmentHistory");
                    history.set("live", live.getOrDefault(id, PlainJson.MAPPER.createArrayNode()));
                    history.set("shadow", shadow.getOrDefault(id, PlainJson.MAPPER.createArrayNode()));
                    ((ObjectNode) value).put("report", PlainJson.MAPPER.writeValueAsString(report));
                }
                out.write(PlainJson.MAPPER.writeValueAsString(record));
                out.newLine();
            }
        }
        Files.move(rewritten, reports, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Map<String, ArrayNode> changes(Path file) throws IOException {
        Map<String, ArrayNode> byCustomer = new HashMap<>();
        if (!Files.exists(file)) {
            return byCustomer;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode value = PlainJson.MAPPER.readTree(line).path("value");
                if (value.isObject()) {
                    ObjectNode change = byCustomer.computeIfAbsent(value.path("customerId").asText(),
                            k -> PlainJson.MAPPER.createArrayNode()).addObject();
                    FIELDS.forEach(f -> change.set(f, value.path(f)));
                }
            }
        }
        return byCustomer;
    }
}
