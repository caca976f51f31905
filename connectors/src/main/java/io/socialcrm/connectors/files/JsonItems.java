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
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a file of JSON objects, either one a line (JSON lines) or as one JSON array, and gives
 * each object with its line number; a line that is not JSON is given as an error.
 */
public final class JsonItems {
    private JsonItems() {
    }

    /** Calls {@code sink} for each object: (line, object) or (line, null) with an error. */
    public static void read(Path file, Consumer<FileItem<JsonNode>> sink) throws IOException {
        open(file).forEachRemaining(sink);
    }

    /** A reader of the file's objects, from the first. */
    public static ItemReader<JsonNode> open(Path file) throws IOException {
        String name = file.getFileName().toString();
        Reader raw = TextFiles.open(file);
        try {
            PushbackReader in = new PushbackReader(raw, 1);
            int first;
            do {
                first = in.read();
            } while (first != -1 && Character.isWhitespace(first));
            if (first != -1) {
                in.unread(first);
            }
            return first == '[' ? new ArrayReader(name, in) : new LineReader(name, new BufferedReader(in));
        } catch (TextFiles.NotText e) {
            raw.close();
            return ItemReader.notText(name, e);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** JSON lines: one object a line, blank lines skipped. */
    private static final class LineReader implements ItemReader<JsonNode> {
        private final String name;
        private final BufferedReader in;
        private long line;
        private long position;
        private boolean done;

        LineReader(String name, BufferedReader in) {
            this.name = name;
            this.in = in;
        }

        @Override
        public FileItem<JsonNode> next() throws IOException {
            if (done) {
                return null;
            }
            String text;
            do {
                try {
                    text = in.readLine();
                } catch (TextFiles.NotText e) {
                    done = true;
                    position++;
                    line++;
                    return e.restSkipped(name, line);
                }
                if (text == null) {
                    return null;
                }
                line++;
            } while (text.isBlank());
            position++;
            String location = name + ":" + line;
            try {
                JsonNode node = PlainJson.MAPPER.readTree(text);
                return node != null && node.isObject() ? FileItem.ok(location, line, node, text)
                        : FileItem.refused(location, line, "not a JSON object", text);
            } catch (JsonProcessingException e) {
                return FileItem.refused(location, line, "not valid JSON: " + e.getOriginalMessage(), text);
            }
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** One JSON array of objects; after a syntax error the rest of the file is skipped. */
    private static final class ArrayReader implements ItemReader<JsonNode> {
        private final String name;
        private final Reader in;
        private final JsonParser parser;
        private boolean done;
        private long position;

        ArrayReader(String name, Reader in) throws IOException {
            this.name = name;
            this.in = in;
            this.parser = PlainJson.MAPPER.getFactory().createParser(in);
        }

        @Override
        public FileItem<JsonNode> next() throws IOException {
            if (done) {
                return null;
            }
            try {
                if (position == 0 && parser.currentToken() == null) {
                    parser.nextToken();
                }
                JsonToken token = parser.nextToken();
                if (token == JsonToken.END_ARRAY || token == null) {
                    done = true;
                    return null;
                }
                position++;
                long line = parser.currentLocation().getLineNr();
                if (token != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    return FileItem.refused(name + ":" + line, line, "array element is not a JSON object");
                }
                JsonNode node = parser.readValueAsTree();
                return FileItem.ok(name + ":" + line, line, node);
            } catch (JsonProcessingException e) {
                done = true;
                position++;
                TextFiles.NotText notText = TextFiles.notText(e);
                long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
                return notText != null ? notText.restSkipped(name, line) : FileItem.refused(name + ":" + line, line,
                        "not valid JSON (the rest of the file is skipped): " + e.getOriginalMessage());
            } catch (TextFiles.NotText e) {
                done = true;
                position++;
                return e.restSkipped(name, parser.currentLocation().getLineNr());
            }
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void close() throws IOException {
            parser.close();
            in.close();
        }
    }
}
