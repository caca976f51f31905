package io.socialcrm.connectors.files;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.serde.PlainJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a file of JSON objects, either one a line (JSON lines) or as one JSON array, and hands
 * each object with its line number on; a line that is not JSON is handed on as an error.
 */
public final class JsonItems {
    private JsonItems() {
    }

    /** Calls {@code sink} for each object: (line, object) or (line, null) with an error. */
    public static void read(Path file, Consumer<FileItem<JsonNode>> sink) throws IOException {
        String name = file.getFileName().toString();
        try (Reader raw = Files.newBufferedReader(file, StandardCharsets.UTF_8); PushbackReader in = new PushbackReader(raw, 1)) {
            int first;
            do {
                first = in.read();
            } while (first != -1 && Character.isWhitespace(first));
            if (first == -1) {
                return;
            }
            in.unread(first);
            if (first == '[') {
                readArray(name, in, sink);
            } else {
                readLines(name, new BufferedReader(in), sink);
            }
        }
    }

    private static void readLines(String name, BufferedReader in, Consumer<FileItem<JsonNode>> sink) throws IOException {
        String line;
        long number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = PlainJson.MAPPER.readTree(line);
                if (node == null || !node.isObject()) {
                    sink.accept(FileItem.refused(name + ":" + number, number, "not a JSON object"));
                } else {
                    sink.accept(FileItem.ok(name + ":" + number, number, node));
                }
            } catch (JsonProcessingException e) {
                sink.accept(FileItem.refused(name + ":" + number, number, "not valid JSON: " + e.getOriginalMessage()));
            }
        }
    }

    private static void readArray(String name, Reader in, Consumer<FileItem<JsonNode>> sink) throws IOException {
        try (JsonParser parser = PlainJson.MAPPER.getFactory().createParser(in)) {
            parser.nextToken();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
                long line = parser.currentLocation().getLineNr();
                if (token != JsonToken.START_OBJECT) {
                    sink.accept(FileItem.refused(name + ":" + line, line, "array element is not a JSON object"));
                    parser.skipChildren();
                    continue;
                }
                JsonNode node = parser.readValueAsTree();
                sink.accept(FileItem.ok(name + ":" + line, line, node));
            }
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            sink.accept(FileItem.refused(name + ":" + line, line, "not valid JSON (the rest of the file is skipped): "
                    + e.getOriginalMessage()));
        }
    }
}
