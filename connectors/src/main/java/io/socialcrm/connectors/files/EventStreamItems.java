package io.socialcrm.connectors.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A recording of a server-sent event stream (e.g. {@code curl -N .../api/v1/streaming/user}) read as
 * items: each event as {@code {"event": name, "payload": data}}, at the line where it ends.
 */
final class EventStreamItems implements ItemReader<JsonNode> {
    private final String name;
    private final BufferedReader in;
    private final ServerSentEvents events = new ServerSentEvents();
    private long line;
    private long position;
    private boolean done;

    private EventStreamItems(String name, BufferedReader in) {
        this.name = name;
        this.in = in;
    }

    /** True when the file is a recorded event stream: its first line is a field or a comment, not JSON. */
    static boolean isEventStream(Path file) throws IOException {
        return TextFiles.firstLine(file).map(ServerSentEvents::looksLikeEventStream).orElse(false);
    }

    static ItemReader<JsonNode> open(Path file) throws IOException {
        return new EventStreamItems(file.getFileName().toString(), new BufferedReader(TextFiles.open(file)));
    }

    @Override
    public FileItem<JsonNode> next() throws IOException {
        while (!done) {
            String text;
            try {
                text = in.readLine();
            } catch (TextFiles.NotText e) {
                done = true;
                position++;
                return e.restSkipped(name, line + 1);
            }
            ObjectNode event;
            if (text == null) {
                done = true;
                event = events.end();
            } else {
                line++;
                event = events.line(text);
            }
            if (event != null) {
                position++;
                return FileItem.ok(name + ":" + line, line, event, event.toString());
            }
        }
        return null;
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
