package io.socialcrm.connectors.files;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socialcrm.serde.PlainJson;

/**
 * The server-sent events wire format (the HTML standard's {@code text/event-stream}), read a line at a
 * time: {@code event:} and {@code data:} fields, several data lines joined with a newline, comment
 * lines ({@code :thump}, heartbeats) ignored, a blank line ending an event. Each event is given as
 * {@code {"event": name, "payload": data}}, the shape of Mastodon's WebSocket frames.
 */
public final class ServerSentEvents {
    private String event;
    private StringBuilder data;

    /** Reads one line (without its line end); returns the event it completes, or null. */
    public ObjectNode line(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.startsWith(":")) {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("event")) {
            event = value;
        } else if (field.equals("data")) {
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        }
        return null;
    }

    /** The event read so far at the end of the input, or null. */
    public ObjectNode end() {
        return dispatch();
    }

    private ObjectNode dispatch() {
        if (data == null) {
            event = null;
            return null;
        }
        ObjectNode out = PlainJson.MAPPER.createObjectNode().put("event", event == null ? "message" : event).put("payload", data.toString());
        event = null;
        data = null;
        return out;
    }

    /** True when a text starts like an event stream (a field or a comment), not like JSON. */
    public static boolean looksLikeEventStream(String firstLine) {
        String t = firstLine.strip();
        return t.startsWith("event:") || t.startsWith("data:") || t.startsWith(":") || t.startsWith("id:");
    }
}
